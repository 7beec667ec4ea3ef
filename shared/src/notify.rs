//! How notifications reach people and programs: e-mail addresses, the delivery mode an
//! account chooses per kind (and which kinds are mandatory), reminder schedules, and
//! webhooks (event kinds, endpoints). The browser and the server apply the same rules.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// An e-mail address, checked for shape (one `@`, a dotted domain, no spaces or
/// header-breaking characters), at most 254 characters, kept as given but trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        let fail = |why: &str| Err(ParseError::new("email", input, why));
        if s.is_empty() {
            return fail("empty");
        }
        if s.len() > 254 {
            return fail("longer than 254 characters");
        }
        if s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
        {
            return fail("contains a character an address may not have");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return fail("has no @");
        };
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return fail("not an address of the form name@domain");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.len() > 63
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return fail("the domain is not a valid name");
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The language of a person's e-mail, and of the messages Nuvola writes for people.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "graphql", graphql(name = "Language"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    /// Italian.
    It,
    /// English.
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::It => "it",
            Self::En => "en",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "it" => Ok(Self::It),
            "en" => Ok(Self::En),
            _ => Err(ParseError::new("language", input, "neither it nor en")),
        }
    }
}

/// How an account wants the notifications of one kind.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryMode {
    /// One e-mail per notification, at once.
    Immediate,
    /// One e-mail a day listing them.
    Digest,
    /// In the web application only.
    InApp,
}

impl DeliveryMode {
    pub const ALL: [DeliveryMode; 3] = [Self::Immediate, Self::Digest, Self::InApp];

    pub fn code(self) -> &'static str {
        match self {
            Self::Immediate => "IMMEDIATE",
            Self::Digest => "DIGEST",
            Self::InApp => "IN_APP",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|m| m.code() == input.trim())
            .ok_or_else(|| ParseError::new("mode", input, "not IMMEDIATE, DIGEST or IN_APP"))
    }
}

/// A kind of notification a person may receive, with whether it may be switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationKind {
    pub code: &'static str,
    /// A notice of funding at risk: it always reaches the person by e-mail (immediate or
    /// in the digest); IN_APP is refused and the unsubscribe link leaves it alone.
    pub mandatory: bool,
}

/// Every kind of notification, in the order the preferences page shows them.
pub const NOTIFICATION_KINDS: [NotificationKind; 12] = [
    NotificationKind {
        code: "VERIFICATION_REQUEST_OPENED",
        mandatory: true,
    },
    NotificationKind {
        code: "VERIFICATION_REQUEST_REOPENED",
        mandatory: true,
    },
    NotificationKind {
        code: "VERIFICATION_REQUEST_OVERDUE",
        mandatory: true,
    },
    NotificationKind {
        code: "CONTRACT_DEADLINE_MISSED",
        mandatory: true,
    },
    NotificationKind {
        code: "COMPLETION_DEADLINE_MISSED",
        mandatory: true,
    },
    NotificationKind {
        code: "VERIFICATION_REQUEST_REMINDER",
        mandatory: false,
    },
    NotificationKind {
        code: "CONTRACT_DEADLINE_REMINDER",
        mandatory: false,
    },
    NotificationKind {
        code: "COMPLETION_DEADLINE_REMINDER",
        mandatory: false,
    },
    NotificationKind {
        code: "VERIFICATION_REQUEST_ANSWERED",
        mandatory: false,
    },
    NotificationKind {
        code: "RENUNCIATION_REQUESTED",
        mandatory: false,
    },
    NotificationKind {
        code: "RENUNCIATION_WITHDRAWN",
        mandatory: false,
    },
    NotificationKind {
        code: "RENUNCIATION_DECREED",
        mandatory: false,
    },
];

impl NotificationKind {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        NOTIFICATION_KINDS
            .into_iter()
            .find(|k| k.code == input.trim())
            .ok_or_else(|| ParseError::new("kind", input, "not a kind of notification"))
    }

    /// The mode when the person chose none: e-mail at once.
    pub fn default_mode(self) -> DeliveryMode {
        DeliveryMode::Immediate
    }

    /// Whether `mode` may be chosen for this kind: a mandatory notice cannot be switched
    /// off.
    pub fn check_mode(self, mode: DeliveryMode) -> Result<(), ParseError> {
        if self.mandatory && mode == DeliveryMode::InApp {
            return Err(ParseError::new(
                "mode",
                mode.code(),
                "this notice puts the funding at risk and cannot be switched off",
            ));
        }
        Ok(())
    }
}

/// The days before a deadline at which reminders go, largest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSchedule(Vec<u32>);

/// The most reminders one deadline may have.
pub const MAX_REMINDERS: usize = 6;
/// The earliest a reminder may go: a year before.
pub const MAX_REMINDER_DAYS: u32 = 365;

impl Default for ReminderSchedule {
    /// 30, 7 and 1 days before.
    fn default() -> Self {
        Self(vec![30, 7, 1])
    }
}

impl ReminderSchedule {
    /// Distinct days from 1 to 365, at most six; an empty list means no reminders.
    pub fn new(days: &[i64]) -> Result<Self, ParseError> {
        let shown = || {
            days.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        if days.len() > MAX_REMINDERS {
            return Err(ParseError::new(
                "reminderDays",
                &shown(),
                format!("at most {MAX_REMINDERS} reminders"),
            ));
        }
        let mut out = Vec::with_capacity(days.len());
        for d in days {
            let Ok(d) = u32::try_from(*d) else {
                return Err(ParseError::new(
                    "reminderDays",
                    &shown(),
                    "days from 1 to 365",
                ));
            };
            if !(1..=MAX_REMINDER_DAYS).contains(&d) {
                return Err(ParseError::new(
                    "reminderDays",
                    &shown(),
                    "days from 1 to 365",
                ));
            }
            if out.contains(&d) {
                return Err(ParseError::new(
                    "reminderDays",
                    &shown(),
                    "a day is repeated",
                ));
            }
            out.push(d);
        }
        out.sort_unstable_by(|a, b| b.cmp(a));
        Ok(Self(out))
    }

    /// As stored (`30,7,1`); none or unreadable: the default.
    pub fn from_stored(stored: Option<&str>) -> Self {
        let Some(s) = stored else {
            return Self::default();
        };
        let days: Result<Vec<i64>, _> = s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().parse::<i64>())
            .collect();
        days.ok()
            .and_then(|d| Self::new(&d).ok())
            .unwrap_or_default()
    }

    pub fn days(&self) -> &[u32] {
        &self.0
    }

    pub fn stored(&self) -> String {
        self.0
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The reminder due with `days_left` days to go (0 = the deadline is today): the
    /// tightest day of the schedule not earlier than `days_left`. A checker that was
    /// down on the 30th day still reminds on the 29th, once, as the "30 days" reminder.
    pub fn due(&self, days_left: i64) -> Option<u32> {
        if days_left < 0 {
            return None;
        }
        self.0
            .iter()
            .copied()
            .filter(|d| i64::from(*d) >= days_left)
            .min()
    }
}

/// What a webhook may subscribe to.
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookEvent {
    /// A project moved to another state of its life cycle.
    ProjectStateChanged,
    /// A planned service moved to another migration status.
    ServiceStatusChanged,
    /// A verifier opened (or reopened) a request for documents.
    RequestOpened,
    /// The administration answered a request for documents.
    RequestAnswered,
    /// A document was uploaded (sent only to those who may read it).
    DocumentUploaded,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 5] = [
        Self::ProjectStateChanged,
        Self::ServiceStatusChanged,
        Self::RequestOpened,
        Self::RequestAnswered,
        Self::DocumentUploaded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ProjectStateChanged => "PROJECT_STATE_CHANGED",
            Self::ServiceStatusChanged => "SERVICE_STATUS_CHANGED",
            Self::RequestOpened => "REQUEST_OPENED",
            Self::RequestAnswered => "REQUEST_ANSWERED",
            Self::DocumentUploaded => "DOCUMENT_UPLOADED",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == input.trim())
            .ok_or_else(|| ParseError::new("kinds", input, "not a webhook event kind"))
    }
}

/// A webhook endpoint: `https://host[:port]/path`, no credentials in it, at most 500
/// characters. In production (`allow_private` false) only HTTPS, and never a loopback,
/// private, link-local or otherwise non-public address written as an IP; the server also
/// checks what a name resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookUrl {
    url: String,
    host: String,
}

impl WebhookUrl {
    pub fn parse(input: &str, allow_private: bool) -> Result<Self, ParseError> {
        let s = input.trim();
        let fail = |why: &str| Err(ParseError::new("url", input, why));
        if s.len() > 500 {
            return fail("longer than 500 characters");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return fail("contains spaces");
        }
        let lower = s.to_ascii_lowercase();
        let rest = if let Some(rest) = lower.strip_prefix("https://") {
            rest
        } else if let Some(rest) = lower.strip_prefix("http://") {
            if !allow_private {
                return fail("must be https");
            }
            rest
        } else {
            return fail("must be an https:// address");
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return fail("must not carry a user name or password");
        }
        let host = if let Some(v6) = authority.strip_prefix('[') {
            match v6.split_once(']') {
                Some((h, _)) => h.to_owned(),
                None => return fail("has an unclosed IPv6 address"),
            }
        } else {
            authority
                .rsplit_once(':')
                .map_or(authority, |(h, port)| {
                    if port.chars().all(|c| c.is_ascii_digit()) {
                        h
                    } else {
                        authority
                    }
                })
                .to_owned()
        };
        if host.is_empty() {
            return fail("has no host");
        }
        if !allow_private {
            if host == "localhost" || host.ends_with(".localhost") || host.ends_with(".local") {
                return fail("points to a private or loopback address");
            }
            if let Ok(ip) = host.parse::<IpAddr>() {
                if !is_public(ip) {
                    return fail("points to a private or loopback address");
                }
            }
        }
        Ok(Self {
            url: s.to_owned(),
            host,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.host
    }
}

/// Whether an address is reachable on the public internet (not loopback, private,
/// link-local, shared, documentation, multicast, unspecified or unique-local).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (64..128).contains(&o[1]))
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (18..20).contains(&o[1]))
        || o[0] >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_for_shape() {
        assert!(EmailAddress::parse(" protocollo@comune.ferrara.it ").is_ok());
        for bad in [
            "", "nobody", "a@b", "a b@c.it", "a@@c.it", "<a@c.it>", "a@-c.it",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mandatory_notices_cannot_be_switched_off() {
        let opened = NotificationKind::parse("VERIFICATION_REQUEST_OPENED").unwrap();
        assert!(opened.check_mode(DeliveryMode::InApp).is_err());
        assert!(opened.check_mode(DeliveryMode::Digest).is_ok());
        let reminder = NotificationKind::parse("CONTRACT_DEADLINE_REMINDER").unwrap();
        assert!(reminder.check_mode(DeliveryMode::InApp).is_ok());
    }

    #[test]
    fn the_schedule_reminds_once_per_day_of_it() {
        let s = ReminderSchedule::default();
        assert_eq!(s.due(45), None);
        assert_eq!(s.due(30), Some(30));
        assert_eq!(s.due(29), Some(30));
        assert_eq!(s.due(7), Some(7));
        assert_eq!(s.due(1), Some(1));
        assert_eq!(s.due(0), Some(1));
        assert_eq!(s.due(-1), None);
        assert_eq!(ReminderSchedule::new(&[1, 14]).unwrap().stored(), "14,1");
        assert!(ReminderSchedule::new(&[0]).is_err());
        assert!(ReminderSchedule::new(&[7, 7]).is_err());
        assert_eq!(ReminderSchedule::from_stored(Some("garbage")), s);
    }

    #[test]
    fn private_endpoints_are_refused_in_production() {
        assert!(WebhookUrl::parse("https://hooks.example.org/nuvola", false).is_ok());
        for bad in [
            "http://hooks.example.org/x",
            "https://127.0.0.1/x",
            "https://10.1.2.3:8443/x",
            "https://[::1]/x",
            "https://localhost/x",
            "https://192.168.0.1/",
            "https://user:pw@hooks.example.org/",
            "ftp://example.org",
        ] {
            assert!(WebhookUrl::parse(bad, false).is_err(), "{bad}");
        }
        let local = WebhookUrl::parse("http://127.0.0.1:9000/hook", true).unwrap();
        assert_eq!(local.host(), "127.0.0.1");
    }
}
