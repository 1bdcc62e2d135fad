import * as z from "zod";
import { env } from "./env";

/** An origin as a browser sends it: scheme, host and port, no path; `*` is not one. */
export const CorsOrigin = z
  .string()
  .refine((o) => URL.canParse(o) && new URL(o).origin === o, "each entry must be an origin like https://app.example.com");

/** Browser origins allowed by CORS, comma-separated (https://app.example.com); none when empty. */
export const CorsEnv = z.object({
  HERALD_CORS_ORIGINS: env.list().pipe(z.array(CorsOrigin)),
});
