//! Closed sets the API speaks in that are not states of a life cycle: the error codes
//! of `extensions.code`, the kinds of notification and of audit event, what an audit
//! event happened to, what a delivery of the outbox carries, and who acted.
//!
//! With the `graphql` feature (the server's) each is a GraphQL enum; the browser uses
//! the same codes without linking async-graphql.

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// Declares a closed set with its stable codes: the enum, `ALL`, `code()` and `parse()`.
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, as the API writes it.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// Parses a code, ignoring case.
            pub fn parse(input: &str) -> Result<Self, ParseError> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code().eq_ignore_ascii_case(input.trim()))
                    .ok_or_else(|| ParseError::new($what, input, "is not a known code"))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

closed_set! {
    /// The stable code of every error (`errors[].extensions.code` in GraphQL, `code` in
    /// the JSON errors of the document and import endpoints). Programs decide on the
    /// code, never on the message, which is English for developers and may change.
    pub enum ErrorCode ("error code") {
        /// No valid token: none where one is needed, or expired, revoked, unknown (HTTP 401 for a bad bearer token).
        Unauthenticated => "UNAUTHENTICATED",
        /// The caller may not do or see this.
        Forbidden => "FORBIDDEN",
        /// Too many requests: wait `extensions.retryAfter` seconds (HTTP 429).
        RateLimited => "RATE_LIMITED",
        /// Nothing has this identifier.
        NotFound => "NOT_FOUND",
        /// A stale `version`, or a clash with existing data: read again and retry.
        Conflict => "CONFLICT",
        /// The life cycle does not allow this move from the current state.
        InvalidTransition => "INVALID_TRANSITION",
        /// Malformed input; `extensions.field` names the argument or input field.
        InvalidInput => "INVALID_INPUT",
        /// The deadline for this action has passed.
        DeadlinePassed => "DEADLINE_PASSED",
        /// The query exceeds a documented maximum (depth, complexity, aliases; see
        /// `extensions.limit`): it was refused before running.
        LimitExceeded => "LIMIT_EXCEEDED",
        /// The request itself is malformed: not JSON, a batch, a GET instead of a POST,
        /// a query that does not parse or does not validate against the schema.
        BadRequest => "BAD_REQUEST",
        /// A document larger than the server accepts (HTTP 413).
        PayloadTooLarge => "PAYLOAD_TOO_LARGE",
        /// A document of a type the server does not accept (HTTP 415).
        UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
        /// The database or another required service cannot be reached: retry after
        /// `extensions.retryAfter` seconds (HTTP 503).
        Unavailable => "UNAVAILABLE",
        /// Something failed inside the server; the cause is logged, never returned.
        Internal => "INTERNAL",
    }
}

closed_set! {
    /// What a notification is about (`Notification.kind`).
    pub enum NotificationKind ("notification kind") {
        /// A project has not signed its supplier contract in time.
        ContractDeadlineMissed => "CONTRACT_DEADLINE_MISSED",
        /// A project has not completed its migration in time.
        CompletionDeadlineMissed => "COMPLETION_DEADLINE_MISSED",
        /// A verification request is past its due date without an answer.
        VerificationRequestOverdue => "VERIFICATION_REQUEST_OVERDUE",
        /// The verifier opened a request on one of the administration's projects.
        VerificationRequestOpened => "VERIFICATION_REQUEST_OPENED",
        /// The verifier asked again, with a new due date.
        VerificationRequestReopened => "VERIFICATION_REQUEST_REOPENED",
        /// The administration answered the verifier's request.
        VerificationRequestAnswered => "VERIFICATION_REQUEST_ANSWERED",
        /// A supplier-contract deadline comes in a few days (30, 7, 1 by default).
        ContractDeadlineReminder => "CONTRACT_DEADLINE_REMINDER",
        /// A completion deadline comes in a few days.
        CompletionDeadlineReminder => "COMPLETION_DEADLINE_REMINDER",
        /// A verification request's due date comes in a few days.
        VerificationRequestReminder => "VERIFICATION_REQUEST_REMINDER",
        /// One summary of a day's reminders to an administration with more of them than
        /// the checker sends one by one; e-mailed to a person who wants at least one of
        /// the kinds it sums up at once (it has no preference of its own).
        DeadlineRemindersSummary => "DEADLINE_REMINDERS_SUMMARY",
        /// An administration asks to renounce a project's funding (to the department).
        RenunciationRequested => "RENUNCIATION_REQUESTED",
        /// The administration withdrew its request of renunciation (to the department).
        RenunciationWithdrawn => "RENUNCIATION_WITHDRAWN",
        /// The department decreed the renunciation asked for (to the administration).
        RenunciationDecreed => "RENUNCIATION_DECREED",
        /// A person asked to act for an organisation (to the department).
        AccessRequested => "ACCESS_REQUESTED",
        /// The department approved one's request to act for an organisation.
        AccessApproved => "ACCESS_APPROVED",
        /// The department rejected one's request, with its reason.
        AccessRejected => "ACCESS_REJECTED",
        /// Requests to act for an organisation wait for the department's decision.
        AccessRequestsWaiting => "ACCESS_REQUESTS_WAITING",
        /// One's request waited too long and expired.
        AccessRequestExpired => "ACCESS_REQUEST_EXPIRED",
        /// A kind this version of the schema does not name yet.
        Other => "OTHER",
    }
}

closed_set! {
    /// What an event of the audit log records (`HistoryEvent.action`).
    pub enum EventKind ("event kind") {
        /// A project moved to another state of its life cycle.
        StateChanged => "STATE_CHANGED",
        /// A planned service moved to another migration status.
        StatusChanged => "STATUS_CHANGED",
        /// A service was added to the migration plan.
        PlanServiceAdded => "PLAN_SERVICE_ADDED",
        /// A line of the migration plan changed.
        PlanServiceChanged => "PLAN_SERVICE_CHANGED",
        /// A line of the migration plan was removed before its contract.
        PlanServiceRemoved => "PLAN_SERVICE_REMOVED",
        /// A supplier contract was recorded.
        ContractRecorded => "CONTRACT_RECORDED",
        /// A version of a service's assessment questionnaire was submitted.
        AssessmentSubmitted => "ASSESSMENT_SUBMITTED",
        /// A service's cut-over window was scheduled.
        CutoverScheduled => "CUTOVER_SCHEDULED",
        /// A document was uploaded.
        DocumentUploaded => "DOCUMENT_UPLOADED",
        /// The verifier recorded the technical conformity outcome.
        VerificationOutcomeRecorded => "VERIFICATION_OUTCOME_RECORDED",
        /// The verifier recorded a checklist item.
        CheckRecorded => "CHECK_RECORDED",
        /// The verifier opened a request.
        VerificationRequestOpened => "VERIFICATION_REQUEST_OPENED",
        /// The administration answered a request.
        VerificationRequestAnswered => "VERIFICATION_REQUEST_ANSWERED",
        /// The verifier closed a request.
        VerificationRequestClosed => "VERIFICATION_REQUEST_CLOSED",
        /// The verifier reopened a request.
        VerificationRequestReopened => "VERIFICATION_REQUEST_REOPENED",
        /// A request passed its due date unanswered.
        RequestOverdue => "REQUEST_OVERDUE",
        /// The administration asked to renounce the funding.
        RenunciationRequested => "RENUNCIATION_REQUESTED",
        /// The administration withdrew its request of renunciation.
        RenunciationWithdrawn => "RENUNCIATION_WITHDRAWN",
        /// The deadline checker found a deadline missed.
        DeadlineMissed => "DEADLINE_MISSED",
        /// An overdue mark was cleared (the obligation was met).
        OverdueCleared => "OVERDUE_CLEARED",
        /// The department changed the deadline terms of a call.
        CallTermsChanged => "CALL_TERMS_CHANGED",
        /// A supplier was qualified or changed.
        SupplierQualified => "SUPPLIER_QUALIFIED",
        /// An offering was qualified or renewed.
        OfferingQualified => "OFFERING_QUALIFIED",
        /// An open-data file was imported.
        ImportOpenData => "IMPORT_OPEN_DATA",
        /// An application was created by an import.
        ImportCreate => "IMPORT_CREATE",
        /// An application was updated by an import.
        ImportUpdate => "IMPORT_UPDATE",
        /// A file was added to an import job.
        ImportFileUploaded => "IMPORT_FILE_UPLOADED",
        /// An import job was confirmed.
        ImportConfirmed => "IMPORT_CONFIRMED",
        /// An import job was discarded.
        ImportDiscarded => "IMPORT_DISCARDED",
        /// An account was created.
        CreateAccount => "CREATE_ACCOUNT",
        /// An account was disabled.
        AccountDisabled => "ACCOUNT_DISABLED",
        /// An account was enabled again.
        AccountEnabled => "ACCOUNT_ENABLED",
        /// A session was opened.
        Login => "LOGIN",
        /// A login attempt failed.
        LoginFailed => "LOGIN_FAILED",
        /// A session was closed.
        Logout => "LOGOUT",
        /// A third-party API token was issued.
        ApiTokenIssued => "API_TOKEN_ISSUED",
        /// A third-party API token was revoked.
        ApiTokenRevoked => "API_TOKEN_REVOKED",
        /// A document nothing used yet was removed by the organisation that uploaded it.
        DocumentRemoved => "DOCUMENT_REMOVED",
        /// A supplier contract was recorded (CIG, amount, date, document).
        ContractCreated => "CONTRACT_CREATED",
        /// A supplier contract was corrected: a new version, with its reason.
        ContractCorrected => "CONTRACT_CORRECTED",
        /// The department changed when a call's reminders go out.
        CallRemindersChanged => "CALL_REMINDERS_CHANGED",
        /// A person changed the e-mail address or language notifications use.
        NotificationContactChanged => "NOTIFICATION_CONTACT_CHANGED",
        /// A person chose how a kind of notification reaches them.
        NotificationPreferenceChanged => "NOTIFICATION_PREFERENCE_CHANGED",
        /// A person turned digests off with the link in one.
        DigestUnsubscribed => "DIGEST_UNSUBSCRIBED",
        /// An organisation registered a webhook.
        WebhookRegistered => "WEBHOOK_REGISTERED",
        /// An organisation removed a webhook.
        WebhookRemoved => "WEBHOOK_REMOVED",
        /// A delivery was sent again by its owner or the department.
        DeliveryReplayed => "DELIVERY_REPLAYED",
        /// A person was given a membership: an organisation and a role in it.
        MembershipAdded => "MEMBERSHIP_ADDED",
        /// A membership was removed; that person's sessions for it ended at once.
        MembershipRemoved => "MEMBERSHIP_REMOVED",
        /// A person picked (or switched to) the organisation a session acts for.
        MembershipSelected => "MEMBERSHIP_SELECTED",
        /// A person asked to act for an organisation (onboarding).
        AccessRequested => "ACCESS_REQUESTED",
        /// The person withdrew a request of theirs.
        AccessRequestWithdrawn => "ACCESS_REQUEST_WITHDRAWN",
        /// The department approved a request: the membership exists from then on.
        AccessRequestApproved => "ACCESS_REQUEST_APPROVED",
        /// The department rejected a request, with its reason.
        AccessRequestRejected => "ACCESS_REQUEST_REJECTED",
        /// A request waited too long and expired.
        AccessRequestExpired => "ACCESS_REQUEST_EXPIRED",
        /// A supplier was registered by an approved request.
        SupplierRegistered => "SUPPLIER_REGISTERED",
        /// A referent or the department invited someone by e-mail.
        InvitationSent => "INVITATION_SENT",
        /// An invitation was accepted: the membership exists from then on.
        InvitationAccepted => "INVITATION_ACCEPTED",
        /// An invitation was revoked before its use.
        InvitationRevoked => "INVITATION_REVOKED",
        /// An invitation waited too long and expired.
        InvitationExpired => "INVITATION_EXPIRED",
        /// A kind this version of the schema does not name yet.
        Other => "OTHER",
    }
}

closed_set! {
    /// The life of a request to act for an organisation (onboarding).
    pub enum AccessRequestState ("request state") {
        /// Waiting for the department.
        Pending => "PENDING",
        /// Approved: the person acts for the organisation.
        Approved => "APPROVED",
        /// Rejected by the department, with a reason.
        Rejected => "REJECTED",
        /// Waited too long without a decision.
        Expired => "EXPIRED",
        /// Withdrawn by the person who asked.
        Withdrawn => "WITHDRAWN",
    }
}

closed_set! {
    /// The life of an invitation to act for an organisation.
    pub enum InvitationState ("invitation state") {
        /// Sent, not used yet, not expired.
        Pending => "PENDING",
        /// Used: the invited person acts for the organisation.
        Accepted => "ACCEPTED",
        /// Revoked before its use.
        Revoked => "REVOKED",
        /// Not used in time.
        Expired => "EXPIRED",
    }
}

closed_set! {
    /// The kind of organisation a request asks to act for.
    pub enum OrganisationKind ("organisation kind") {
        /// A public body, by its IPA code.
        Administration => "ADMINISTRATION",
        /// A cloud supplier, by its VAT number (known, or registered by the request).
        Supplier => "SUPPLIER",
    }
}

closed_set! {
    /// Who made a change recorded in the audit log: a role, or the server itself.
    pub enum ActorRole ("actor role") {
        /// A public body's account.
        Administration => "ADMINISTRATION",
        /// A qualified cloud supplier's account.
        Supplier => "SUPPLIER",
        /// The Polo Strategico Nazionale's account.
        Psn => "PSN",
        /// The department's account.
        Department => "DEPARTMENT",
        /// A verifier's account.
        Verifier => "VERIFIER",
        /// Anyone without a token (e.g. a failed login).
        Public => "PUBLIC",
        /// The server's own jobs and commands (imports, the deadline checker, `nuvola` commands).
        System => "SYSTEM",
    }
}

closed_set! {
    /// How a delivery of the outbox travels (`Delivery.channel`).
    pub enum DeliveryChannel ("delivery channel") {
        /// An e-mail over SMTP.
        Email => "EMAIL",
        /// A signed HTTPS call to a webhook.
        Webhook => "WEBHOOK",
    }
}

closed_set! {
    /// Where a delivery of the outbox stands (`Delivery.status`).
    pub enum DeliveryStatus ("delivery status") {
        /// Not delivered yet; the next attempt is at `nextAttemptAt`.
        Pending => "PENDING",
        /// The peer accepted it.
        Delivered => "DELIVERED",
        /// Every attempt failed: failed for good until someone replays it.
        Failed => "FAILED",
    }
}

closed_set! {
    /// What an event of the audit log happened to (`HistoryEvent.entityType`). The
    /// audit log stores the lowercase name (`planned_service`): [`EntityType::stored`].
    pub enum EntityType ("entity type") {
        /// A project (an application for funding).
        Application => "APPLICATION",
        /// A service of a project's migration plan.
        PlannedService => "PLANNED_SERVICE",
        /// A document uploaded to a project.
        Document => "DOCUMENT",
        /// A supplier contract of a project.
        SupplierContract => "SUPPLIER_CONTRACT",
        /// A verifier's request for documents.
        VerificationRequest => "VERIFICATION_REQUEST",
        /// An item of the verifier's checklist.
        VerificationCheck => "VERIFICATION_CHECK",
        /// A call for funding and its deadline terms.
        Call => "CALL",
        /// A qualified cloud supplier.
        Supplier => "SUPPLIER",
        /// A supplier's qualified cloud offering.
        CloudOffering => "CLOUD_OFFERING",
        /// An import of the open data.
        Import => "IMPORT",
        /// An import job of the open data's files.
        ImportJob => "IMPORT_JOB",
        /// A person's account.
        Account => "ACCOUNT",
        /// A session or a third party's API token.
        AuthToken => "AUTH_TOKEN",
        /// A login through SPID or CIE (OpenID Connect).
        OidcLogin => "OIDC_LOGIN",
        /// A person's membership of an organisation.
        Membership => "MEMBERSHIP",
        /// A request to act for an organisation.
        OnboardingRequest => "ONBOARDING_REQUEST",
        /// An invitation to join an organisation.
        Invitation => "INVITATION",
        /// A webhook of an organisation.
        Webhook => "WEBHOOK",
        /// A delivery of the outbox (an e-mail or a webhook call).
        Delivery => "DELIVERY",
        /// A kind this version of the schema does not name yet.
        Other => "OTHER",
    }
}

impl EntityType {
    /// The name the audit log stores (`planned_service`).
    pub fn stored(self) -> String {
        self.code().to_ascii_lowercase()
    }

    /// The entity of a stored event; a name this version does not know is
    /// [`EntityType::Other`].
    pub fn from_stored(name: &str) -> Self {
        Self::parse(name).unwrap_or(Self::Other)
    }
}

closed_set! {
    /// What a delivery of the outbox carries (`Delivery.kind`): a webhook's event (the
    /// codes of `WebhookEvent`), a notification by e-mail (the codes of
    /// `NotificationKind`), a daily digest, or an invitation e-mail.
    pub enum DeliveryKind ("delivery kind") {
        /// Webhook: a project moved to another state of its life cycle.
        ProjectStateChanged => "PROJECT_STATE_CHANGED",
        /// Webhook: a planned service moved to another migration status.
        ServiceStatusChanged => "SERVICE_STATUS_CHANGED",
        /// Webhook: a verifier opened (or reopened) a request for documents.
        RequestOpened => "REQUEST_OPENED",
        /// Webhook: the administration answered a request for documents.
        RequestAnswered => "REQUEST_ANSWERED",
        /// Webhook: a document was uploaded.
        DocumentUploaded => "DOCUMENT_UPLOADED",
        /// E-mail: a project has not signed its supplier contract in time.
        ContractDeadlineMissed => "CONTRACT_DEADLINE_MISSED",
        /// E-mail: a project has not completed its migration in time.
        CompletionDeadlineMissed => "COMPLETION_DEADLINE_MISSED",
        /// E-mail: a verification request is past its due date without an answer.
        VerificationRequestOverdue => "VERIFICATION_REQUEST_OVERDUE",
        /// E-mail: the verifier opened a request.
        VerificationRequestOpened => "VERIFICATION_REQUEST_OPENED",
        /// E-mail: the verifier asked again.
        VerificationRequestReopened => "VERIFICATION_REQUEST_REOPENED",
        /// E-mail: the administration answered the verifier's request.
        VerificationRequestAnswered => "VERIFICATION_REQUEST_ANSWERED",
        /// E-mail: a supplier-contract deadline comes in a few days.
        ContractDeadlineReminder => "CONTRACT_DEADLINE_REMINDER",
        /// E-mail: a completion deadline comes in a few days.
        CompletionDeadlineReminder => "COMPLETION_DEADLINE_REMINDER",
        /// E-mail: a verification request's due date comes in a few days.
        VerificationRequestReminder => "VERIFICATION_REQUEST_REMINDER",
        /// E-mail: one summary in place of many reminders to one body on one day.
        DeadlineRemindersSummary => "DEADLINE_REMINDERS_SUMMARY",
        /// E-mail: an administration asked to renounce its funding.
        RenunciationRequested => "RENUNCIATION_REQUESTED",
        /// E-mail: an administration withdrew its request to renounce.
        RenunciationWithdrawn => "RENUNCIATION_WITHDRAWN",
        /// E-mail: the department decreed a renunciation.
        RenunciationDecreed => "RENUNCIATION_DECREED",
        /// E-mail: a person asked to act for an organisation.
        AccessRequested => "ACCESS_REQUESTED",
        /// E-mail: the department approved one's request.
        AccessApproved => "ACCESS_APPROVED",
        /// E-mail: the department rejected one's request.
        AccessRejected => "ACCESS_REJECTED",
        /// E-mail: requests wait for the department's decision.
        AccessRequestsWaiting => "ACCESS_REQUESTS_WAITING",
        /// E-mail: one's request waited too long and expired.
        AccessRequestExpired => "ACCESS_REQUEST_EXPIRED",
        /// E-mail: the daily digest of one's notifications.
        Digest => "DIGEST",
        /// E-mail: an invitation to join an organisation.
        Invitation => "INVITATION",
        /// E-mail: the reminder of an invitation not accepted yet.
        InvitationReminder => "INVITATION_REMINDER",
        /// A kind this version of the schema does not name yet.
        Other => "OTHER",
    }
}

impl DeliveryKind {
    /// The kind of a stored delivery; a code this version does not know is
    /// [`DeliveryKind::Other`].
    pub fn from_stored(code: &str) -> Self {
        Self::parse(code).unwrap_or(Self::Other)
    }

    /// The delivery of a webhook event.
    pub fn webhook(event: crate::notify::WebhookEvent) -> Self {
        Self::from_stored(event.code())
    }

    /// The e-mail of a notification of this kind.
    pub fn notification(kind: NotificationKind) -> Self {
        Self::from_stored(kind.code())
    }
}

impl NotificationKind {
    /// The kind of a stored notification; a code this version does not know is
    /// [`NotificationKind::Other`] (older clients keep working when kinds are added).
    pub fn from_stored(code: &str) -> Self {
        Self::parse(code).unwrap_or(Self::Other)
    }
}

impl EventKind {
    /// The kind of a stored event; an action this version does not name is
    /// [`EventKind::Other`].
    pub fn from_stored(code: &str) -> Self {
        Self::parse(code).unwrap_or(Self::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_stored_kinds_are_other() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.code()), Ok(*c));
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
        }
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_stored(k.code()), *k);
        }
        assert_eq!(EventKind::from_stored("SOMETHING_NEW"), EventKind::Other);
        assert_eq!(
            NotificationKind::from_stored("CONTRACT_DEADLINE_MISSED"),
            NotificationKind::ContractDeadlineMissed
        );
        assert_eq!(NotificationKind::from_stored("X"), NotificationKind::Other);
        assert_eq!(ActorRole::parse("system"), Ok(ActorRole::System));
    }

    #[test]
    fn every_webhook_event_and_notification_kind_is_a_delivery_kind() {
        for e in crate::notify::WebhookEvent::ALL {
            assert_eq!(DeliveryKind::webhook(e).code(), e.code());
        }
        for k in NotificationKind::ALL {
            assert_eq!(DeliveryKind::notification(*k).code(), k.code());
        }
        // And nothing else but the digest and the invitations' e-mails.
        let others: Vec<&str> = DeliveryKind::ALL
            .iter()
            .map(|d| d.code())
            .filter(|c| {
                !crate::notify::WebhookEvent::ALL
                    .iter()
                    .any(|e| e.code() == *c)
                    && !NotificationKind::ALL.iter().any(|k| k.code() == *c)
            })
            .collect();
        assert_eq!(others, ["DIGEST", "INVITATION", "INVITATION_REMINDER"]);
        assert_eq!(
            DeliveryKind::from_stored("SOMETHING_NEW"),
            DeliveryKind::Other
        );
    }

    #[test]
    fn entity_types_round_trip_through_the_audit_logs_names() {
        for e in EntityType::ALL {
            assert_eq!(EntityType::from_stored(&e.stored()), *e);
        }
        assert_eq!(EntityType::PlannedService.stored(), "planned_service");
        assert_eq!(
            EntityType::from_stored("planned_service"),
            EntityType::PlannedService
        );
        assert_eq!(EntityType::from_stored("something_new"), EntityType::Other);
    }
}
