import type { MessageContent, MessageRecord, MessageSummary, MessageView } from "@herald/contracts";

export function toMessageView(record: MessageRecord): MessageView {
  return {
    id: record.id,
    channel: record.channel,
    status: record.status,
    principal: record.principal,
    tenant: record.tenant,
    created_at: record.created_at,
    updated_at: record.updated_at,
    ...(record.send_at !== undefined && { send_at: record.send_at }),
    store_secure: record.store_secure,
    erased: record.erased_at !== undefined,
    ...(record.erased_at !== undefined && { erased_at: record.erased_at }),
    // store_secure content is never shown here: POST /v1/messages/{id}/decrypt, with its role.
    ...(record.content && !record.store_secure && contentFields(record.content)),
    ...(record.sms && { sms: record.sms }),
    ...(record.metadata && { metadata: record.metadata }),
    ...(record.provider !== undefined && { provider: record.provider }),
    ...(record.provider_message_id !== undefined && { provider_message_id: record.provider_message_id }),
    ...(record.provider_reply !== undefined && { provider_reply: record.provider_reply }),
    ...(record.failure && { failure: record.failure }),
    attempts: record.attempts,
    history: record.history,
  };
}

export function contentFields(content: MessageContent) {
  if (content.channel === "sms") return { to: [content.to], text: content.text };
  return {
    from: content.from,
    to: content.to,
    ...(content.cc && { cc: content.cc }),
    ...(content.bcc && { bcc: content.bcc }),
    ...(content.reply_to && { reply_to: content.reply_to }),
    subject: content.subject,
    ...(content.html !== undefined && { html: content.html }),
    ...(content.text !== undefined && { text: content.text }),
  };
}

export function toMessageSummary(record: MessageRecord): MessageSummary {
  return {
    id: record.id,
    channel: record.channel,
    status: record.status,
    principal: record.principal,
    tenant: record.tenant,
    created_at: record.created_at,
    ...(!record.store_secure && record.content?.channel === "email" && { subject: record.content.subject }),
    store_secure: record.store_secure,
  };
}
