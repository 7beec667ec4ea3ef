//! E-mail over SMTP (`lettre`): the connection settings, and the messages in Italian and
//! English, plain text and HTML, rendered by the outbox worker when it sends.
//!
//! A message says which project (CUP and the administration's name, which anyone may
//! read in the open data), what happened, what to do, the deadline and a link into the
//! web application. It carries nothing else: no other person's name or address, no
//! document, nothing its recipient could not read in the web application.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use nuvola_shared::notify::Language;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::entity::{administration, application, delivery, notification};
use crate::service::outbox::Answer;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS before anything is sent (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The SMTP server and the sender (`--smtp-*` / `NUVOLA_SMTP_*`).
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    /// Default: 587 with STARTTLS, 465 with TLS.
    pub port: Option<u16>,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Nuvola <notifiche@nuvola.example>`.
    pub from: String,
    /// A PEM file of extra certificate authorities to trust (a private relay's own).
    pub ca_file: Option<PathBuf>,
    /// The web application's address, for links (`https://nuvola.example`).
    pub public_url: String,
    pub timeout: Duration,
}

/// A connected-on-demand SMTP transport and the sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe link (digests).
    pub unsubscribe: Option<String>,
}

impl Mailer {
    pub fn new(settings: SmtpSettings) -> anyhow::Result<Self> {
        let mut tls = TlsParameters::builder(settings.host.clone());
        if let Some(path) = &settings.ca_file {
            let pem = std::fs::read(path)
                .with_context(|| format!("reading the SMTP CA file {}", path.display()))?;
            tls = tls.add_root_certificate(
                Certificate::from_pem(&pem)
                    .with_context(|| format!("reading the certificate in {}", path.display()))?,
            );
        }
        let tls = tls.build().context("preparing TLS for SMTP")?;
        let (tls, default_port) = match settings.security {
            Security::Starttls => (Tls::Required(tls), 587),
            Security::Tls => (Tls::Wrapper(tls), 465),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port.unwrap_or(default_port))
            .tls(tls)
            .timeout(Some(settings.timeout));
        if let Some(user) = &settings.username {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                settings.password.clone().unwrap_or_default(),
            ));
        }
        let from: Mailbox = settings
            .from
            .parse()
            .with_context(|| format!("the sender address {:?}", settings.from))?;
        Ok(Self {
            transport: builder.build(),
            from,
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Sends one message; the server's answer (e.g. `250 OK`) or why it failed.
    pub async fn send(&self, email: Email) -> Answer {
        let message = match self.build(email) {
            Ok(m) => m,
            Err(e) => return Answer::failed(format!("the message could not be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(response) => Answer::ok(format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )),
            Err(e) => Answer::failed(format!("SMTP: {e}")),
        }
    }

    fn build(&self, email: Email) -> anyhow::Result<Message> {
        let to: Mailbox = email.to.parse().context("the recipient's address")?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject);
        if let Some(url) = &email.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        Ok(builder.multipart(MultiPart::alternative_plain_html(email.text, email.html))?)
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }
}

/// What an e-mail delivery's payload holds: what to render, for whom.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailPayload {
    pub account_id: i32,
    /// The recipient's role code: it decides the links.
    pub role: String,
    pub language: String,
    /// One notification (immediate) …
    pub notification_id: Option<i32>,
    /// … or the notifications of a daily digest.
    #[serde(default)]
    pub digest: Vec<i32>,
}

/// The e-mail of an EMAIL delivery, rendered now; none when its notifications are gone.
pub async fn render(
    db: &DatabaseConnection,
    mailer: &Mailer,
    d: &delivery::Model,
) -> anyhow::Result<Option<Email>> {
    let payload: MailPayload =
        serde_json::from_str(&d.payload).context("reading the delivery's payload")?;
    let lang = Language::parse(&payload.language).unwrap_or(Language::It);
    let ids: Vec<i32> = match payload.notification_id {
        Some(id) => vec![id],
        None => payload.digest.clone(),
    };
    let notes = notification::Entity::find()
        .filter(notification::Column::Id.is_in(ids))
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    if notes.is_empty() {
        return Ok(None);
    }
    let project_ids: Vec<i32> = notes.iter().filter_map(|n| n.application_id).collect();
    let projects: Vec<application::Model> = application::Entity::find()
        .filter(application::Column::Id.is_in(project_ids))
        .all(db)
        .await?;
    let body_ids: Vec<i32> = projects.iter().map(|p| p.administration_id).collect();
    let bodies: Vec<administration::Model> = administration::Entity::find()
        .filter(administration::Column::Id.is_in(body_ids))
        .all(db)
        .await?;
    let items: Vec<Item> = notes
        .iter()
        .map(|n| {
            let project = n
                .application_id
                .and_then(|id| projects.iter().find(|p| p.id == id));
            let body = project.and_then(|p| bodies.iter().find(|b| b.id == p.administration_id));
            Item {
                kind: n.kind.clone(),
                message: n.message.clone(),
                message_en: n.message_en.clone(),
                cup: project.map(|p| p.cup.clone()),
                body: body.map(|b| b.name.clone()),
                due_on: n.due_on,
                link: link(mailer.public_url(), &payload.role, &n.kind, project),
            }
        })
        .collect();
    if payload.notification_id.is_some() {
        let Some(item) = items.first() else {
            return Ok(None);
        };
        return Ok(Some(single(lang, &d.recipient, item)));
    }
    let token = crate::service::preferences::unsubscribe_token(db, payload.account_id).await?;
    let unsubscribe = format!(
        "{}/api/unsubscribe?account={}&token={token}",
        mailer.public_url(),
        payload.account_id
    );
    Ok(Some(digest(lang, &d.recipient, &items, unsubscribe)))
}

/// One notification as the e-mail shows it.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: String,
    /// The notification's text, in Italian.
    pub message: String,
    /// The same in English, when it was kept (notifications raised since it is).
    pub message_en: Option<String>,
    pub cup: Option<String>,
    pub body: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub link: String,
}

/// Where the recipient acts on it in the web application.
fn link(base: &str, role: &str, kind: &str, project: Option<&application::Model>) -> String {
    let requests = kind.starts_with("VERIFICATION_REQUEST");
    match (role, project) {
        ("ADMINISTRATION", _) if requests => format!("{base}/amministrazione/richieste"),
        ("ADMINISTRATION", Some(p)) => format!("{base}/amministrazione/progetti/{}", p.cup),
        ("DEPARTMENT", Some(p)) => format!("{base}/dipartimento/progetti/{}", p.cup),
        ("VERIFIER", Some(p)) => format!("{base}/asseveratore/progetti/{}", p.cup),
        _ => format!("{base}/notifiche"),
    }
}

/// (subject, what happened in English, what to do) of a kind, in a language. What
/// happened is the notification's own text in its language; the English words here are
/// for notifications raised before their English text was kept.
fn words(lang: Language, kind: &str) -> (&'static str, &'static str, &'static str) {
    match (lang, kind) {
        (Language::It, "VERIFICATION_REQUEST_OPENED" | "VERIFICATION_REQUEST_REOPENED") => (
            "Richiesta di documenti da evadere",
            "",
            "Rispondere nell'Area Richieste, allegando i documenti chiesti, entro la scadenza: senza risposta il finanziamento è a rischio.",
        ),
        (Language::En, "VERIFICATION_REQUEST_OPENED" | "VERIFICATION_REQUEST_REOPENED") => (
            "Request for documents to answer",
            "The verifier asked for documents on this project.",
            "Answer in the Requests area, attaching the documents asked for, by the deadline: without an answer the funding is at risk.",
        ),
        (Language::It, "VERIFICATION_REQUEST_OVERDUE") => (
            "Richiesta di documenti scaduta",
            "",
            "Rispondere subito nell'Area Richieste: la richiesta è oltre la scadenza e il finanziamento è a rischio.",
        ),
        (Language::En, "VERIFICATION_REQUEST_OVERDUE") => (
            "Request for documents overdue",
            "A request for documents on this project was not answered by its due date.",
            "Answer in the Requests area now: the request is past its due date and the funding is at risk.",
        ),
        (Language::It, "VERIFICATION_REQUEST_REMINDER") => (
            "Promemoria: richiesta di documenti in scadenza",
            "",
            "Rispondere nell'Area Richieste entro la scadenza.",
        ),
        (Language::En, "VERIFICATION_REQUEST_REMINDER") => (
            "Reminder: request for documents due soon",
            "A request for documents on this project is due soon.",
            "Answer in the Requests area by the deadline.",
        ),
        (Language::It, "VERIFICATION_REQUEST_ANSWERED") => (
            "Risposta a una richiesta di documenti",
            "",
            "Esaminare la risposta e i documenti allegati, poi chiudere o riaprire la richiesta.",
        ),
        (Language::En, "VERIFICATION_REQUEST_ANSWERED") => (
            "A request for documents was answered",
            "The administration answered a request for documents on this project.",
            "Read the answer and its documents, then close or reopen the request.",
        ),
        (Language::It, "CONTRACT_DEADLINE_MISSED") => (
            "Termine per il contratto superato",
            "",
            "Registrare il contratto con il fornitore, o contattare il Dipartimento: il finanziamento è a rischio di revoca.",
        ),
        (Language::En, "CONTRACT_DEADLINE_MISSED") => (
            "Supplier contract deadline missed",
            "The project passed its deadline for the supplier contract.",
            "Record the contract with the supplier, or contact the Department: the funding may be revoked.",
        ),
        (Language::It, "COMPLETION_DEADLINE_MISSED") => (
            "Termine per il completamento superato",
            "",
            "Completare la migrazione e dichiararne il completamento, o contattare il Dipartimento: il finanziamento è a rischio di revoca.",
        ),
        (Language::En, "COMPLETION_DEADLINE_MISSED") => (
            "Completion deadline missed",
            "The project passed its deadline for completing the migration.",
            "Complete the migration and declare it, or contact the Department: the funding may be revoked.",
        ),
        (Language::It, "CONTRACT_DEADLINE_REMINDER") => (
            "Promemoria: termine per il contratto",
            "",
            "Registrare il contratto con il fornitore prima della scadenza.",
        ),
        (Language::En, "CONTRACT_DEADLINE_REMINDER") => (
            "Reminder: supplier contract deadline",
            "The deadline for the supplier contract is approaching.",
            "Record the contract with the supplier before the deadline.",
        ),
        (Language::It, "COMPLETION_DEADLINE_REMINDER") => (
            "Promemoria: termine per il completamento",
            "",
            "Completare la migrazione e dichiararne il completamento prima della scadenza.",
        ),
        (Language::En, "COMPLETION_DEADLINE_REMINDER") => (
            "Reminder: completion deadline",
            "The deadline for completing the migration is approaching.",
            "Complete the migration and declare it before the deadline.",
        ),
        (Language::It, "RENUNCIATION_REQUESTED") => (
            "Richiesta di rinuncia al finanziamento",
            "",
            "Esaminare la richiesta nella pagina del progetto e decretare la rinuncia.",
        ),
        (Language::En, "RENUNCIATION_REQUESTED") => (
            "Request to renounce the funding",
            "An administration asks to renounce the funding of this project.",
            "Review the request on the project's page and decree the renunciation.",
        ),
        (Language::It, "RENUNCIATION_WITHDRAWN") => (
            "Richiesta di rinuncia ritirata",
            "",
            "Nessuna azione: il progetto prosegue.",
        ),
        (Language::En, "RENUNCIATION_WITHDRAWN") => (
            "Request of renunciation withdrawn",
            "The administration withdrew its request to renounce the funding.",
            "Nothing to do: the project goes on.",
        ),
        (Language::It, "RENUNCIATION_DECREED") => (
            "Rinuncia al finanziamento decretata",
            "",
            "Nessuna azione: il progetto è chiuso come rinunciato.",
        ),
        (Language::En, "RENUNCIATION_DECREED") => (
            "Renunciation of the funding decreed",
            "The Department decreed the renunciation of this project's funding.",
            "Nothing to do: the project is closed as renounced.",
        ),
        (Language::It, "DEADLINE_REMINDERS_SUMMARY") => (
            "Promemoria: scadenze vicine",
            "",
            "Aprire la pagina Notifiche di Nuvola per l'elenco e agire prima di ciascuna scadenza.",
        ),
        (Language::En, "DEADLINE_REMINDERS_SUMMARY") => (
            "Reminder: deadlines near",
            "Several deadlines of your projects are near.",
            "Open Nuvola's Notifications page for the list and act before each deadline.",
        ),
        (Language::It, _) => (
            "Notifica di Nuvola",
            "",
            "Aprire Nuvola per i dettagli.",
        ),
        (Language::En, _) => (
            "Nuvola notification",
            "Something changed on this project.",
            "Open Nuvola for the details.",
        ),
    }
}

fn date(lang: Language, d: NaiveDate) -> String {
    match lang {
        Language::It => d.format("%d/%m/%Y").to_string(),
        Language::En => d.format("%-d %B %Y").to_string(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

struct Labels {
    project: &'static str,
    happened: &'static str,
    todo: &'static str,
    deadline: &'static str,
    open: &'static str,
    footer: &'static str,
}

fn labels(lang: Language) -> Labels {
    match lang {
        Language::It => Labels {
            project: "Progetto",
            happened: "Cosa è successo",
            todo: "Cosa fare",
            deadline: "Scadenza",
            open: "Apri in Nuvola",
            footer: "Messaggio automatico di Nuvola, il sistema della misura PNRR 1.2 \"Abilitazione e facilitazione migrazione al Cloud\". Le preferenze di notifica si cambiano in Nuvola, alla pagina Notifiche.",
        },
        Language::En => Labels {
            project: "Project",
            happened: "What happened",
            todo: "What to do",
            deadline: "Deadline",
            open: "Open in Nuvola",
            footer: "An automatic message from Nuvola, the system of PNRR measure 1.2 (cloud migration of the public administration). Notification preferences are changed in Nuvola, on the Notifications page.",
        },
    }
}

fn happened(lang: Language, item: &Item) -> String {
    let (_, english, _) = words(lang, &item.kind);
    match lang {
        Language::It => item.message.clone(),
        Language::En => item
            .message_en
            .clone()
            .unwrap_or_else(|| english.to_owned()),
    }
}

fn project_line(item: &Item) -> Option<String> {
    item.cup.as_ref().map(|cup| match &item.body {
        Some(body) => format!("CUP {cup} ({body})"),
        None => format!("CUP {cup}"),
    })
}

/// The e-mail of one notification.
pub fn single(lang: Language, to: &str, item: &Item) -> Email {
    let (subject, _, todo) = words(lang, &item.kind);
    let l = labels(lang);
    let subject = match &item.cup {
        Some(cup) => format!("{subject}: CUP {cup}"),
        None => subject.to_owned(),
    };
    let what = happened(lang, item);
    let mut text = String::new();
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body style=\"font-family:sans-serif\"><h1 style=\"font-size:1.3em\">{}</h1><dl>",
        lang.code(),
        escape(&subject)
    );
    if let Some(project) = project_line(item) {
        text.push_str(&format!("{}: {project}\n", l.project));
        html.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            l.project,
            escape(&project)
        ));
    }
    text.push_str(&format!("{}: {what}\n", l.happened));
    html.push_str(&format!(
        "<dt>{}</dt><dd>{}</dd>",
        l.happened,
        escape(&what)
    ));
    text.push_str(&format!("{}: {todo}\n", l.todo));
    html.push_str(&format!("<dt>{}</dt><dd>{}</dd>", l.todo, escape(todo)));
    if let Some(due) = item.due_on {
        let due = date(lang, due);
        text.push_str(&format!("{}: {due}\n", l.deadline));
        html.push_str(&format!(
            "<dt>{}</dt><dd><strong>{due}</strong></dd>",
            l.deadline
        ));
    }
    text.push_str(&format!("{}: {}\n\n{}\n", l.open, item.link, l.footer));
    html.push_str(&format!(
        "</dl><p><a href=\"{}\">{}</a></p><p style=\"color:#555;font-size:.85em\">{}</p></body></html>",
        escape(&item.link),
        l.open,
        escape(l.footer)
    ));
    Email {
        to: to.to_owned(),
        subject,
        text,
        html,
        unsubscribe: None,
    }
}

/// The daily digest of several notifications, with its unsubscribe link.
pub fn digest(lang: Language, to: &str, items: &[Item], unsubscribe: String) -> Email {
    let l = labels(lang);
    let (subject, intro, stop) = match lang {
        Language::It => (
            format!("Nuvola: riepilogo del giorno ({} notifiche)", items.len()),
            "Le notifiche di Nuvola delle ultime 24 ore.",
            "Non ricevere più il riepilogo (gli avvisi obbligatori continuano ad arrivare)",
        ),
        Language::En => (
            format!("Nuvola: daily digest ({} notifications)", items.len()),
            "Your Nuvola notifications of the last 24 hours.",
            "Stop receiving the digest (mandatory notices keep coming)",
        ),
    };
    let mut text = format!("{intro}\n\n");
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body style=\"font-family:sans-serif\"><h1 style=\"font-size:1.3em\">{}</h1><p>{}</p><ul>",
        lang.code(),
        escape(&subject),
        escape(intro)
    );
    for item in items {
        let (title, _, todo) = words(lang, &item.kind);
        let what = happened(lang, item);
        let project = project_line(item).unwrap_or_default();
        let due = item
            .due_on
            .map(|d| format!(" {}: {}.", l.deadline, date(lang, d)))
            .unwrap_or_default();
        text.push_str(&format!(
            "- {title}. {project}\n  {what}\n  {todo}{due}\n  {}\n",
            item.link
        ));
        html.push_str(&format!(
            "<li><strong>{}</strong> {}<br>{}<br>{}{}<br><a href=\"{}\">{}</a></li>",
            escape(title),
            escape(&project),
            escape(&what),
            escape(todo),
            escape(&due),
            escape(&item.link),
            l.open
        ));
    }
    text.push_str(&format!("\n{stop}: {unsubscribe}\n\n{}\n", l.footer));
    html.push_str(&format!(
        "</ul><p><a href=\"{}\">{}</a></p><p style=\"color:#555;font-size:.85em\">{}</p></body></html>",
        escape(&unsubscribe),
        escape(stop),
        escape(l.footer)
    ));
    Email {
        to: to.to_owned(),
        subject,
        text,
        html,
        unsubscribe: Some(unsubscribe),
    }
}

/// The e-mail of an invitation (`path` the link's) or of its reminder, in Italian and
/// then in English: the invitee has no account whose language could choose.
pub fn invitation(
    public_url: &str,
    to: &str,
    mail: &crate::service::invitations::InvitationMail,
) -> Email {
    let reminder = mail.path.is_none();
    let expires = mail.expires_at.date_naive();
    let role_it = nuvola_shared::Role::parse(&mail.role).map_or("—", |r| r.label_it());
    let subject = if reminder {
        format!(
            "Promemoria: invito a operare per {} / Reminder: invitation to act for {}",
            mail.organisation, mail.organisation
        )
    } else {
        format!(
            "Invito a operare per {} / Invitation to act for {}",
            mail.organisation, mail.organisation
        )
    };
    let (it, en) = if reminder {
        (
            format!(
                "{} ti ha invitato a operare per {} su Nuvola con il ruolo {}. L'invito scade il {}: usa il link dell'e-mail di invito, dopo aver effettuato l'accesso; se non l'hai più, chiedi un nuovo invito.",
                mail.inviter,
                mail.organisation,
                role_it,
                date(Language::It, expires)
            ),
            format!(
                "{} invited you to act for {} on Nuvola in the role {}. The invitation expires on {}: use the link of the invitation e-mail after logging in; if you no longer have it, ask for a new invitation.",
                mail.inviter,
                mail.organisation,
                mail.role,
                date(Language::En, expires)
            ),
        )
    } else {
        (
            format!(
                "{} ti invita a operare per {} su Nuvola con il ruolo {}. Accedi (SPID, CIE o password) e apri il link entro il {}; il link vale una sola volta.",
                mail.inviter,
                mail.organisation,
                role_it,
                date(Language::It, expires)
            ),
            format!(
                "{} invites you to act for {} on Nuvola in the role {}. Log in (SPID, CIE or password) and open the link by {}; it works once.",
                mail.inviter,
                mail.organisation,
                mail.role,
                date(Language::En, expires)
            ),
        )
    };
    let link = mail.path.as_ref().map(|p| format!("{public_url}{p}"));
    let mut text = format!("{it}\n\n{en}\n");
    let mut html = format!(
        "<!doctype html><html lang=\"it\"><body style=\"font-family:sans-serif\"><h1 style=\"font-size:1.3em\">{}</h1><p>{}</p><p lang=\"en\">{}</p>",
        escape(&subject),
        escape(&it),
        escape(&en)
    );
    if let Some(link) = &link {
        text.push_str(&format!(
            "\nAccetta l'invito / Accept the invitation: {link}\n"
        ));
        html.push_str(&format!(
            "<p><a href=\"{}\">Accetta l'invito / Accept the invitation</a></p>",
            escape(link)
        ));
    }
    html.push_str("</body></html>");
    Email {
        to: to.to_owned(),
        subject,
        text,
        html,
        unsubscribe: None,
    }
}
