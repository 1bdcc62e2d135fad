import { type MessageContent, type MessageRecord, type MessageSummary, type MessageView } from "@herald/contracts";
import { contentRules, type ContentView } from "@herald/contracts/send";

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
    ...(record.outcomes && Object.keys(record.outcomes).length > 0 && { outcomes: record.outcomes }),
  };
}

/** The content's fields of a view, as its channel shows them (contracts' CHANNEL_CONTENT). */
export const contentFields = (content: MessageContent): ContentView => contentRules(content.channel).view(content);

export function toMessageSummary(record: MessageRecord): MessageSummary {
  return {
    id: record.id,
    channel: record.channel,
    status: record.status,
    principal: record.principal,
    tenant: record.tenant,
    created_at: record.created_at,
    ...(!record.store_secure && record.content && subjectOf(record.content)),
    store_secure: record.store_secure,
  };
}

function subjectOf(content: MessageContent): { subject?: string } {
  const subject = contentRules(content.channel).subject(content);
  return subject === undefined ? {} : { subject };
}
