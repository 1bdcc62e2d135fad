import type { MessageRecord, MessageSummary, MessageView } from "@herald/contracts";

export function toMessageView(record: MessageRecord): MessageView {
  const content = record.store_secure ? undefined : record.content;
  return {
    id: record.id,
    channel: record.channel,
    status: record.status,
    principal: record.principal,
    created_at: record.created_at,
    updated_at: record.updated_at,
    ...(record.send_at !== undefined && { send_at: record.send_at }),
    store_secure: record.store_secure,
    erased: !record.store_secure && record.content === undefined,
    ...(content && {
      from: content.from,
      to: content.to,
      ...(content.cc && { cc: content.cc }),
      ...(content.bcc && { bcc: content.bcc }),
      ...(content.reply_to && { reply_to: content.reply_to }),
      subject: content.subject,
      ...(content.html !== undefined && { html: content.html }),
      ...(content.text !== undefined && { text: content.text }),
    }),
    ...(record.metadata && { metadata: record.metadata }),
    ...(record.provider_message_id !== undefined && { provider_message_id: record.provider_message_id }),
    ...(record.failure && { failure: record.failure }),
    attempts: record.attempts,
    history: record.history,
  };
}

export function toMessageSummary(record: MessageRecord): MessageSummary {
  return {
    id: record.id,
    channel: record.channel,
    status: record.status,
    principal: record.principal,
    created_at: record.created_at,
    ...(!record.store_secure && record.content && { subject: record.content.subject }),
    store_secure: record.store_secure,
  };
}
