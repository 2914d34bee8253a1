// Mails to creators: the outbox (written in the transaction of the event that causes a mail), the worker that
// sends it, rendering, and the creators' mail settings (unsubscribe per kind, language).
export { mailCommissionChange, mailNewCommissions, mailPayoutPaid, remindPayoutMethod } from "./commission-mails.ts";
export {
  MAIL_DATA,
  MAIL_KINDS,
  type MailData,
  type MailKind,
  OPTIONAL_KINDS,
  type OptionalKind,
  PAYOUT_METHOD_REMINDER_DAYS,
  preferenceKindOf,
} from "./mail-kinds.ts";
export {
  eraseStoreMailSettings,
  type MailSetting,
  mailSettingOf,
  setMailKind,
  setMailKinds,
  setMailLocale,
} from "./mail-settings.ts";
export { type CreatorMailRequest, enqueueCreatorMail, enqueueCreatorMails, eraseStoreMails } from "./outbox.ts";
export { type RenderContext, type RenderedMail, renderCreatorMail } from "./render.ts";
export { readUnsubscribeToken, unsubscribeToken, verifyUnsubscribeToken } from "./unsubscribe-token.ts";
export {
  type CreatorMailWorker,
  type CreatorMailWorkerOptions,
  type MailRunResult,
  messageIdOf,
  retryDelayMs,
  sendDueCreatorMails,
  startCreatorMailWorker,
} from "./worker.ts";
