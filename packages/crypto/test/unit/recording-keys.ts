import type { DataKey, DataKeyProvider } from "../../src";
import { MemoryDataKeyProvider } from "../../src/memory-data-key-provider";

/** In-memory data keys that remember every plaintext key they hand out, to see it zeroed. */
export class RecordingKeys implements DataKeyProvider {
  readonly inner = new MemoryDataKeyProvider();
  /** Every data key's plaintext handed to the cipher, generated or unwrapped, in order. */
  readonly handedOut: Buffer[] = [];

  async generate(context: Record<string, string>): Promise<DataKey> {
    const key = await this.inner.generate(context);
    this.handedOut.push(key.plaintext);
    return key;
  }

  async unwrap(wrapped: Buffer, context: Record<string, string>): Promise<Buffer> {
    const key = await this.inner.unwrap(wrapped, context);
    this.handedOut.push(key);
    return key;
  }

  key(index: number): Buffer {
    const key = this.handedOut[index];
    if (!key) throw new Error(`no data key #${index} was handed out`);
    return key;
  }
}

export const isZeroed = (key: Buffer) => key.length > 0 && key.every((byte) => byte === 0);
