//! The GraphQL client: one POST per round trip, errors turned into sentences for people
//! (Italian, or English when chosen).

use std::fmt;

use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::i18n::{self, Lang};

/// Why a request did not give data. Its `Display` is a sentence for the user, in the
/// language chosen; nothing technical is ever shown.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server did not answer (offline, stopped, network down).
    Unreachable,
    /// The server answered with something that is not a GraphQL response.
    Http(u16),
    /// The server refused the request; `code` is its stable `extensions.code` and
    /// `field` the input it blames (`extensions.field`), when it names one.
    Refused {
        code: String,
        message: String,
        field: Option<String>,
    },
    /// The answer did not have the expected shape (a client/server version mismatch).
    Malformed,
    /// A refusal the page puts in the person's words (`field` as in `Refused`): the
    /// Italian sentence of the message table with its `{}` arguments, translated when
    /// shown, so that it follows a switch of language like every other text.
    Worded {
        field: String,
        sentence: &'static str,
        args: Vec<String>,
    },
}

impl ApiError {
    /// A refusal decided in the browser by the same `shared` rules the server applies.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Refused {
            code: "INVALID_INPUT".into(),
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    /// A refusal decided and worded in the page: `sentence` is an Italian key of the
    /// message table, with `{}` for each of `args`.
    pub fn worded(field: &str, sentence: &'static str, args: &[&str]) -> Self {
        ApiError::Worded {
            field: field.to_owned(),
            sentence,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// The input the server (or the browser's check) blames, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Refused { field, .. } => field.as_deref(),
            ApiError::Worded { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let en = i18n::lang() == Lang::En;
        match self {
            ApiError::Unreachable => f.write_str(if en {
                "The server does not answer. Check the connection and try again."
            } else {
                "Il server non risponde. Controlla la connessione e riprova."
            }),
            ApiError::Http(status) => {
                if en {
                    write!(f, "The server answered unexpectedly (HTTP {status}). Try again shortly.")
                } else {
                    write!(f, "Il server ha risposto in modo inatteso (HTTP {status}). Riprova tra poco.")
                }
            }
            ApiError::Refused { code, message, field } => {
                let text = match (code.as_str(), en) {
                    ("INVALID_INPUT", _) => {
                        return f.write_str(&explain_invalid(message, field.as_deref(), en))
                    }
                    ("UNAUTHENTICATED", false) => "Credenziali non valide o sessione scaduta: accedi di nuovo.",
                    ("UNAUTHENTICATED", true) => "Invalid credentials or expired session: log in again.",
                    ("FORBIDDEN", false) => "Non hai i permessi per questa operazione.",
                    ("FORBIDDEN", true) => "You are not allowed to do this.",
                    ("NOT_FOUND", false) => "Quello che cerchi non esiste o non è più disponibile.",
                    ("NOT_FOUND", true) => "What you are looking for does not exist or is no longer available.",
                    ("CONFLICT", false) => "Qualcun altro ha modificato questi dati nel frattempo: ricarica la pagina e riprova.",
                    ("CONFLICT", true) => "Someone else changed this data meanwhile: reload the page and try again.",
                    ("INVALID_TRANSITION", _) => return f.write_str(&explain_transition(message, en)),
                    ("DEADLINE_PASSED", false) => "Il termine per questa operazione è scaduto.",
                    ("DEADLINE_PASSED", true) => "The deadline for this action has passed.",
                    ("RATE_LIMITED", false) => "Troppe richieste: attendi qualche secondo e riprova.",
                    ("RATE_LIMITED", true) => "Too many requests: wait a few seconds and try again.",
                    ("LIMIT_EXCEEDED", false) => "La richiesta è troppo ampia: restringi la ricerca e riprova.",
                    ("LIMIT_EXCEEDED", true) => "The request is too large: narrow it down and try again.",
                    ("BAD_REQUEST", false) => "La richiesta non è valida: ricarica la pagina per aggiornare l'applicazione.",
                    ("BAD_REQUEST", true) => "The request is not valid: reload the page to update the application.",
                    ("INTERNAL", false) => "Si è verificato un errore interno. Riprova tra poco.",
                    ("INTERNAL", true) => "An internal error occurred. Try again shortly.",
                    (_, false) => return write!(f, "Richiesta rifiutata ({code})."),
                    (_, true) => return write!(f, "Request refused ({code})."),
                };
                f.write_str(text)
            }
            ApiError::Worded { sentence, args, .. } => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                f.write_str(&i18n::tf(sentence, &args))
            }
            ApiError::Malformed => f.write_str(if en {
                "The server's answer is unreadable: reload the page to update the application."
            } else {
                "La risposta del server non è leggibile: ricarica la pagina per aggiornare l'applicazione."
            }),
        }
    }
}

/// Why a move of a life cycle was refused, in words.
fn explain_transition(message: &str, en: bool) -> String {
    let m = message.to_lowercase();
    let (it, english) = if m.contains("assessment questionnaire") {
        (
            "Compila prima il questionario di assessment del servizio.",
            "Fill in the service's assessment questionnaire first.",
        )
    } else if m.contains("no supplier under contract") {
        (
            "Il servizio non ha ancora un fornitore a contratto.",
            "The service has no supplier under contract yet.",
        )
    } else if m.contains("move only while") {
        (
            "I servizi si aggiornano solo mentre il progetto è contrattualizzato o in migrazione.",
            "Services move only while the project is contracted or migrating.",
        )
    } else if m.contains("answer to a verification request") {
        (
            "Il documento è arrivato con una risposta a una richiesta di verifica: resta con la risposta.",
            "The document came with an answer to a verification request: it stays with the answer.",
        )
    } else if m.contains("evidence of a migrated service") {
        (
            "Il documento è l'evidenza di un servizio migrato: resta come sua prova.",
            "The document is the evidence of a migrated service: it stays as its proof.",
        )
    } else if m.contains("recorded contract's document") {
        (
            "Il documento è quello di un contratto registrato: resta con il contratto (una correzione del contratto può indicarne un altro).",
            "The document is a recorded contract's document: it stays with the contract (a correction of the contract may name another).",
        )
    } else if m.contains("part of the record and no longer change") {
        (
            "Il progetto è concluso: i suoi contratti fanno parte dell'archivio e non si correggono più.",
            "The project is closed: its contracts are part of the record and can no longer be corrected.",
        )
    } else if m.contains("completion has been declared") {
        (
            "Il completamento del progetto è stato dichiarato: i documenti restano per la verifica e per l'archivio.",
            "The project's completion has been declared: its documents stay for the verification and the record.",
        )
    } else if m.contains("is not a step") {
        (
            "Questo passaggio non è previsto nella migrazione di un servizio.",
            "This step is not part of a service's migration.",
        )
    } else {
        (
            "Questa operazione non è consentita nello stato attuale del progetto.",
            "This action is not allowed in the project's current state.",
        )
    };
    (if en { english } else { it }).to_owned()
}

/// The server's and the `shared` rules' reasons, which are English sentences for
/// developers, told to a person in Italian (or plain English). The known reasons are
/// recognised by their wording; anything else keeps the server's words after a sentence
/// in the user's language.
fn explain_invalid(message: &str, field: Option<&str>, en: bool) -> String {
    let m = message.to_lowercase();
    // What only the field tells apart: an empty choice of supplier is not a bad VAT
    // number, and an empty VAT number typed in (the catalogue's new supplier) is neither.
    if m.contains("\"\"") {
        match field {
            Some("supplierVat" | "vat") => {
                return (if en {
                    "Choose the supplier."
                } else {
                    "Scegli il fornitore."
                })
                .to_owned()
            }
            Some("vatNumber") => {
                return (if en {
                    "Write the supplier's VAT number (11 digits)."
                } else {
                    "Scrivi la partita IVA del fornitore (11 cifre)."
                })
                .to_owned()
            }
            _ => {}
        }
    }
    // A number out of its range says the range (`shared`'s "must be between A and B").
    // (A term has its own words, below: days or months.)
    if let Some((low, high)) = Some(&m)
        .filter(|m| !m.contains("invalid term"))
        .and_then(|m| m.split_once("must be between "))
        .and_then(|(_, r)| r.split_once(" and "))
        .and_then(|(a, b)| Some((a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?)))
    {
        let (low, high) = (crate::format::count(low), crate::format::count(high));
        return if en {
            format!(
                "Write a number from {} to {}.",
                low.replace('.', ","),
                high.replace('.', ",")
            )
        } else {
            format!("Scrivi un numero da {low} a {high}.")
        };
    }
    let known: &[(&str, &str, &str)] = &[
        // Onboarding (issue 12): requests to act for an organisation, invitations.
        ("yet: give its name", "Nessun fornitore registrato ha questa partita IVA: scrivi la ragione sociale per registrarlo.", "No registered supplier has this VAT number: write its company name to register it."),
        ("no supplier has the vat number", "Nessun fornitore registrato ha questa partita IVA.", "No registered supplier has this VAT number."),
        ("no administration has the ipa code", "Nessuna amministrazione ha questo codice IPA: cercala per nome.", "No administration has this IPA code: search for it by name."),
        ("name the administration (ipa code)", "Scegli l'amministrazione o indica la partita IVA del fornitore.", "Choose the administration or give the supplier's VAT number."),
        ("a supplier's name has", "La ragione sociale deve avere da 2 a 200 caratteri.", "The company name must have 2 to 200 characters."),
        ("a note has at most", "La nota può avere al massimo 1.000 caratteri.", "The note may have at most 1,000 characters."),
        ("a body's name has at most", "Il nome dell'organismo può avere al massimo 200 caratteri.", "The body's name may have at most 200 characters."),
        ("a rejection needs a reason", "Scrivi il motivo del rifiuto (almeno 5 caratteri).", "Write the reason for the rejection (at least 5 characters)."),
        ("the name must have", "Il nome deve avere da 2 a 200 caratteri.", "The name must have 2 to 200 characters."),
        ("give the service a name", "Scegli il servizio dal catalogo o scrivine il nome.", "Choose the service from the catalogue or write its name."),
        ("is not funded by measure 1.2", "Questo passaggio non è finanziato dalla misura 1.2: da on-premises si va a IaaS (A) o PaaS/SaaS (B), da IaaS non qualificato a PaaS/SaaS, da PaaS non qualificato a SaaS.", "This move is not funded by measure 1.2: on-premises goes to IaaS (A) or PaaS/SaaS (B), non-qualified IaaS to PaaS/SaaS, non-qualified PaaS to SaaS."),
        ("need psn or a qualified private cloud", "I dati critici o strategici richiedono il PSN o un cloud qualificato per quella classe di dati.", "Critical or strategic data need PSN or a cloud qualified for that data class."),
        ("qualification expired", "La qualificazione dell'offerta è scaduta: scegline un'altra.", "The offering's qualification has expired: choose another."),
        ("the offering is", "L'offerta scelta non è del modello di servizio indicato come destinazione.", "The chosen offering is not of the destination's service model."),
        ("belongs to another supplier", "Questo codice è già di un'offerta di un altro fornitore: scegline un altro.", "This code already belongs to another supplier's offering: choose another."),
        ("no qualified offering", "Nessuna offerta qualificata ha questo codice.", "No qualified offering has this code."),
        ("not in the catalogue", "Il servizio non è nel catalogo per questo tipo di ente.", "The service is not in the catalogue for this type of body."),
        ("does not sell", "Il fornitore scelto non vende l'offerta indicata nel piano per uno dei servizi: scegli il fornitore di quell'offerta.", "The chosen supplier does not sell the offering the plan names for one of the services: choose that offering's supplier."),
        ("the qualification of", "La qualificazione del fornitore è scaduta: scegli un fornitore qualificato.", "The supplier's qualification has expired: choose a qualified supplier."),
        ("no qualified supplier", "Nessun fornitore qualificato ha questa partita IVA.", "No qualified supplier has this VAT number."),
        // The catalogue and the terms of a call (issue 5); before "vat", which "private" contains.
        ("capital letters, digits", "Usa da 3 a 40 lettere maiuscole, cifre o trattini, per esempio PSN-IAAS-SHARED.", "Use 3 to 40 capital letters, digits or dashes, e.g. PSN-IAAS-SHARED."),
        // Issue 16: contracts (`shared::contract`).
        ("give the contract's cig", "Indica il CIG del contratto.", "Give the contract's CIG."),
        ("a cig has 10", "Il CIG ha 10 caratteri, lettere maiuscole e cifre, per esempio 9A1B2C3D4E.", "A CIG has 10 capital letters and digits, e.g. 9A1B2C3D4E."),
        ("the contract's amount is", "Scrivi l'importo del contratto in euro interi, da 1 a 1.000.000.000.", "Write the contract's amount in whole euros, 1 to 1,000,000,000."),
        ("documents of kind contract", "Scegli uno dei documenti del progetto di tipo «Contratto» (carica prima il contratto firmato).", "Choose one of the project's documents of kind \"Contract\" (upload the signed contract first)."),
        // Issue 16: master data against today and against each other.
        ("hard deadline cannot be set", "Il termine ultimo dell'avviso non può essere un giorno già passato: indica oggi o una data successiva (o lascia quello attuale).", "The call's final deadline cannot be a day already past: give today or a later date (or keep the current one)."),
        ("a new supplier cannot be qualified", "La qualificazione di un nuovo fornitore non può essere già finita: indica oggi o una data successiva.", "A new supplier's qualification cannot have ended already: give today or a later date."),
        ("cannot be ended in the past", "Una qualificazione non si chiude nel passato: per revocarla indica come fine la data di ieri.", "A qualification is not ended in the past: to withdraw it, end it yesterday."),
        ("would have ended already", "La qualificazione dell'offerta sarebbe già finita: indica oggi o una data successiva.", "The offering's qualification would have ended already: give today or a later date."),
        ("cannot stay qualified after its supplier", "L'offerta non può restare qualificata oltre la qualificazione del suo fornitore.", "The offering cannot stay qualified beyond its supplier's qualification."),
        ("qualification must end after", "La qualificazione deve finire dopo il suo inizio.", "The qualification must end after it starts."),
        ("at most 36 months", "Una qualificazione dura al massimo 36 mesi.", "A qualification lasts at most 36 months."),
        ("psn deployment", "Il modello di rilascio PSN è riservato alle offerte del Polo Strategico Nazionale, che lo usano tutte.", "PSN deployment is for the offerings of the Polo Strategico Nazionale, and all of them use it."),
        ("expected public, private", "Scegli il modello di rilascio: pubblico, privato, ibrido o PSN.", "Choose the deployment: public, private, hybrid or PSN."),
        ("qualify the supplier", "Qualifica prima il fornitore.", "Qualify the supplier first."),
        ("invalid term", "Scrivi il termine in giorni o mesi, da 1 a 3.650, per esempio «6 mesi» o «120 giorni».", "Write the term in days or months, 1 to 3,650, e.g. \"6 months\" or \"120 days\"."),
        ("vat number", "La partita IVA non è valida (11 cifre con il carattere di controllo).", "The VAT number is not valid (11 digits with the check digit)."),
        ("in the future", "La data del contratto non può essere nel futuro.", "The contract date cannot be in the future."),
        ("precede the funding", "Il contratto non può precedere il decreto di finanziamento.", "The contract cannot precede the funding decree."),
        ("planned services", "Scegli almeno un servizio del piano.", "Choose at least one service of the plan."),
        // The questionnaire and the cut-over window (shared::lifecycle).
        ("whole number", "Scrivi un numero intero.", "Write a whole number."),
        ("must be between", "Il valore è fuori dai limiti ammessi.", "The value is out of the allowed range."),
        ("the date must fall between", "La data è fuori dall'intervallo ammesso (dal 2020 a tre anni da oggi).", "The date is out of the allowed range (from 2020 to three years from today)."),
        ("yyyy-mm-dd", "Scrivi la data nel formato AAAA-MM-GG.", "Write the date as YYYY-MM-DD."),
        ("go-live cannot come before", "La messa in esercizio non può precedere l'inizio della migrazione.", "The go-live cannot come before the migration started."),
        ("cannot start before the provider", "La migrazione non può iniziare prima dell'attivazione del fornitore.", "The migration cannot start before the provider was activated."),
        ("answer at least one question", "Rispondi almeno a una domanda del questionario.", "Answer at least one question of the questionnaire."),
        ("write 1 to", "Scrivi da 1 a 200 caratteri, o lascia vuoto.", "Write 1 to 200 characters, or leave it empty."),
        ("give a date and time", "Indica data e ora.", "Give a date and a time."),
        ("must end after it starts", "La finestra deve finire dopo l'inizio.", "The window must end after it starts."),
        ("lasts at most", "Una finestra di cut-over dura al massimo 72 ore.", "A cut-over window lasts at most 72 hours."),
        ("cannot start in the past", "La finestra non può iniziare nel passato.", "The window cannot start in the past."),
        // Issue 5: verification and the department's moves.
        ("is not an active verifier account", "Nessun asseveratore attivo ha questo nome utente.", "No active verifier has this username."),
        ("write the reason in", "Il motivo deve avere da 10 a 2.000 caratteri.", "The reason must have 10 to 2,000 characters."),
        ("services to redo", "Scegli i servizi da rifare.", "Choose the services to redo."),
        ("at most 180 days", "La scadenza può essere al massimo a 180 giorni da oggi.", "The due date can be at most 180 days from today."),
        ("in the past", "La scadenza non può essere nel passato.", "The due date cannot be in the past."),
        ("give the request a title", "Scrivi un titolo di al massimo 200 caratteri.", "Write a title of at most 200 characters."),
        ("say what the request asks", "Scrivi cosa chiedi (al massimo 10.000 caratteri).", "Write what you ask for (at most 10,000 characters)."),
        ("give the due date", "Indica la data di scadenza.", "Give the due date."),
        ("give the verifier's username", "Indica il nome utente dell'asseveratore.", "Give the verifier's username."),
        ("choose the outcome", "Scegli l'esito.", "Choose the outcome."),
        ("at least one document or a note", "Allega almeno un documento o scrivi una nota per l'asseveratore.", "Attach at least one document or write a note for the verifier."),
        ("already has a service with this name", "Il piano ha già un servizio con questo nome: modifica quella riga invece di aggiungerne un'altra.", "The plan already has a service with this name: edit that line instead of adding another."),
        ("notes too long", "Le note possono avere al massimo 10.000 caratteri.", "Notes may have at most 10,000 characters."),
        // Identifiers and amounts (`shared::ids`, `shared::money`), in `ParseError`'s words.
        ("invalid cup", "Il CUP ha 15 caratteri alfanumerici, per esempio B71C22000020001.", "A CUP has 15 letters and digits, e.g. B71C22000020001."),
        ("invalid ipa code", "Il codice IPA non è valido (lettere, cifre e trattini bassi, al massimo 40).", "The IPA code is not valid (letters, digits and underscores, at most 40)."),
        ("invalid istat code", "Il codice ISTAT non è valido (6 cifre).", "The ISTAT code is not valid (6 digits)."),
        ("invalid amount", "Scrivi l'importo in euro interi, per esempio 12500.", "Write the amount in whole euros, e.g. 12500."),
        ("invalid call title", "Indica l'avviso.", "Give the call."),
        ("invalid file name", "Indica il nome del file.", "Give the file's name."),
        ("give the file's name", "Indica il nome del file.", "Give the file's name."),
        ("give the reason", "Scrivi il motivo (da 10 a 2.000 caratteri).", "Write the reason (10 to 2,000 characters)."),
        ("invalid date", "Scrivi una data valida nel formato GG/MM/AAAA.", "Write a valid date."),
        ("not a cursor", "La pagina chiesta non esiste più: ricarica l'elenco.", "The page asked for no longer exists: reload the list."),
        // How people and programs are told (issue 13, `shared::notify`).
        ("cannot be switched off", "Questo avviso mette a rischio il finanziamento: non si può ricevere solo in Nuvola.", "This notice puts the funding at risk: it cannot be received in Nuvola only."),
        ("invalid email", "Scrivi un indirizzo e-mail valido, per esempio nome@comune.it.", "Write a valid e-mail address, e.g. name@example.org."),
        ("must be https", "L'indirizzo dell'endpoint deve iniziare con https://.", "The endpoint's address must start with https://."),
        ("https:// address", "L'indirizzo dell'endpoint deve iniziare con https://.", "The endpoint's address must start with https://."),
        ("private or loopback", "L'endpoint è su una rete privata o locale: usa un indirizzo pubblico.", "The endpoint is on a private or local network: use a public address."),
        ("does not resolve", "Il nome dell'endpoint non esiste.", "The endpoint's name does not exist."),
        ("name at least one event kind", "Scegli almeno un tipo di evento.", "Choose at least one kind of event."),
        ("days from 1 to 365", "I giorni di preavviso vanno da 1 a 365.", "Reminder days go from 1 to 365."),
        ("a day is repeated", "Un giorno di preavviso è ripetuto.", "A reminder day is repeated."),
        ("reminders", "Al massimo 6 promemoria per scadenza.", "At most 6 reminders per deadline."),
        ("not the id of", "L'elemento scelto non esiste più: ricarica la pagina.", "The chosen item no longer exists: reload the page."),
    ];
    for (needle, it_text, en_text) in known {
        if m.contains(needle) {
            return (if en { *en_text } else { *it_text }).to_owned();
        }
    }
    // An unknown reason: name the field in the person's language, never the server's
    // English words.
    let what = message
        .strip_prefix("invalid ")
        .and_then(|rest| rest.split_once(" \""))
        .map(|(what, _)| what);
    match what
        .and_then(|w| field_label(w, en))
        .or_else(|| field.and_then(|f| field_label(f, en)))
    {
        Some(label) if en => {
            format!("The value of “{label}” is not valid: correct it and try again.")
        }
        Some(label) => format!("Il valore di «{label}» non è valido: correggilo e riprova."),
        None if en => "Some data is not valid: check the form and try again.".to_owned(),
        None => "Alcuni dati non sono validi: controlla il modulo e riprova.".to_owned(),
    }
}

/// The name a person reads for an input the server blames (`extensions.field`).
fn field_label(field: &str, en: bool) -> Option<&'static str> {
    let (it, english) = match field {
        "cup" => ("CUP", "CUP"),
        "supplierVat" | "vat" | "vatNumber" => ("Partita IVA", "VAT number"),
        "name" => ("Nome", "Name"),
        "title" => ("Titolo", "Title"),
        "body" => ("Testo", "Text"),
        "reason" => ("Motivo", "Reason"),
        "notes" | "note" | "answerNote" => ("Note", "Notes"),
        "dueOn" => ("Scadenza", "Due date"),
        "contractOn" => ("Data del contratto", "Contract date"),
        "qualifiedOn" => ("Qualificata dal", "Qualified from"),
        "qualifiedUntil" => ("Qualificata fino al", "Qualified until"),
        "code" | "offeringCode" => ("Codice dell'offerta", "Offering code"),
        "catalogueCode" => ("Servizio del catalogo", "Catalogue service"),
        "dataClass" => ("Classe dei dati", "Data class"),
        "origin" => ("Origine", "Origin"),
        "destination" => ("Destinazione", "Destination"),
        "username" => ("Nome utente", "Username"),
        "password" => ("Password", "Password"),
        "amount" => ("Importo", "Amount"),
        "term" | "contractTerm" | "completionTerm" => ("Termine", "Term"),
        "hardDeadline" | "hardCap" | "hard deadline" => ("Termine ultimo", "Final deadline"),
        "services" => ("Servizi", "Services"),
        "cig" | "CIG" => ("CIG", "CIG"),
        "amountEur" => ("Importo del contratto", "Contract amount"),
        "documentId" => ("Documento del contratto", "Contract document"),
        // `shared`'s own names of what it parses (`ParseError`'s "invalid <what> …").
        "data class" => ("Classe dei dati", "Data class"),
        "service model" => ("Modello di servizio", "Service model"),
        "outcome" | "check outcome" => ("Esito", "Outcome"),
        "document kind" => ("Tipo di documento", "Document kind"),
        "region" | "region ISTAT code" => ("Regione", "Region"),
        "answer" => ("Risposta", "Answer"),
        "modality" => ("Modalità", "Modality"),
        "administration type" => ("Tipo di ente", "Type of body"),
        "role" => ("Ruolo", "Role"),
        "deadline kind" => ("Tipo di scadenza", "Kind of deadline"),
        "application state" | "service state" | "request state" => ("Stato", "State"),
        "email" => ("Indirizzo e-mail", "E-mail address"),
        "language" => ("Lingua", "Language"),
        "mode" => ("Modalità di notifica", "Delivery mode"),
        "kind" | "kinds" => ("Eventi", "Events"),
        "url" => ("Indirizzo dell'endpoint", "Endpoint address"),
        "days" | "reminderDays" => ("Giorni di preavviso", "Reminder days"),
        "ipaCode" => ("Codice IPA", "IPA code"),
        "supplierName" => ("Ragione sociale", "Company name"),
        "supplierEmail" => ("PEC o e-mail del fornitore", "Supplier's PEC or e-mail"),
        "bodyName" => ("Nome dell'organismo", "Body's name"),
        "text" => ("Ricerca", "Search"),
        _ => return None,
    };
    Some(if en { english } else { it })
}

#[derive(Deserialize)]
struct Response<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Deserialize)]
struct GraphqlError {
    message: String,
    #[serde(default)]
    extensions: Option<Value>,
}

/// Sends one GraphQL document with its variables and decodes `data` as `T`.
pub async fn query<T: DeserializeOwned>(document: &str, variables: Value) -> Result<T, ApiError> {
    let data = query_value(document, variables).await?;
    serde_json::from_value(data).map_err(|_| ApiError::Malformed)
}

/// [`query`] without the decoding into a type: the request, the JSON parsing and the
/// errors exist once in the wasm instead of once per answer type (each copy of the
/// generic parser cost kilobytes).
pub async fn query_value(document: &str, variables: Value) -> Result<Value, ApiError> {
    let body = serde_json::json!({ "query": document, "variables": variables });
    let response = Request::post("/graphql")
        .json(&body)
        .map_err(|_| ApiError::Malformed)?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiError::Unreachable)?;
    let decoded: Response<Value> = match serde_json::from_str(&text) {
        Ok(decoded) => decoded,
        Err(_) if !(200..300).contains(&status) && status != 400 => {
            return Err(ApiError::Http(status))
        }
        Err(_) => return Err(ApiError::Malformed),
    };
    if let Some(first) = decoded.errors.into_iter().next() {
        let code = first
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
            .unwrap_or("INTERNAL")
            .to_owned();
        let field = first
            .extensions
            .as_ref()
            .and_then(|e| e.get("field"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        return Err(ApiError::Refused {
            code,
            message: first.message,
            field,
        });
    }
    decoded.data.ok_or(ApiError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every INVALID_INPUT reason written in the server and in `shared`, found the way a
    /// reviewer would grep for them: the string literals of `invalid(field, "…")`,
    /// `Invalid…("…")` and `ParseError::new(what, input, "…")` calls.
    fn server_reasons() -> Vec<(Option<String>, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        let mut dirs = vec![root.join("server/src"), root.join("shared/src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let literals = |text: &str| -> Vec<String> {
            let mut out = Vec::new();
            let mut rest = text;
            while let Some(start) = rest.find('"') {
                let after = &rest[start + 1..];
                let Some(end) = after.find('"') else { break };
                out.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            out
        };
        let mut reasons = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (at, _) in text.match_indices("invalid(") {
                // The call's arguments, up to its closing parenthesis on a later line.
                let call: String = text[at + 8..].chars().take(260).collect();
                let call = call.split(");").next().unwrap_or_default();
                let lits = literals(call);
                if !(text[..at].ends_with("ApiError::") || text[..at].ends_with("Error::")) {
                    continue;
                }
                // `invalid("field", "…")`, or `invalid(field, "…")` with the field in a variable.
                let field_literal = call.trim_start().starts_with('"');
                match (field_literal, lits.as_slice()) {
                    (true, [field, message, ..]) => {
                        reasons.push((Some(field.clone()), message.clone()))
                    }
                    (false, [message, ..]) => reasons.push((None, message.clone())),
                    _ => {}
                }
            }
            for (at, _) in text.match_indices("ParseError::new(") {
                let call: String = text[at + 16..].chars().take(260).collect();
                let call = call.split(')').next().unwrap_or_default();
                let lits = literals(call);
                if let (Some(what), Some(reason)) = (lits.first(), lits.last()) {
                    if lits.len() >= 2 {
                        reasons.push((None, format!("invalid {what} \"x\": {reason}")));
                    }
                }
            }
        }
        reasons
    }

    #[test]
    fn no_server_reason_reaches_a_person_in_english() {
        let reasons = server_reasons();
        assert!(reasons.len() > 20, "found only {} reasons", reasons.len());
        for (field, message) in &reasons {
            for en in [false, true] {
                let shown = explain_invalid(message, field.as_deref(), en);
                assert!(
                    !shown.contains(message.as_str()) && !shown.contains("invalid "),
                    "{field:?} {message:?} is shown as {shown:?}"
                );
            }
        }
    }

    #[test]
    fn each_refusal_names_its_own_field() {
        let it = |message: &str, field: Option<&str>| explain_invalid(message, field, false);
        // "private" contains "vat": a deployment is not a VAT number.
        assert_eq!(
            it(
                "deployment: expected PUBLIC, PRIVATE, HYBRID or PSN",
                Some("deploymentModel")
            ),
            "Scegli il modello di rilascio: pubblico, privato, ibrido o PSN."
        );
        assert_eq!(
            it(
                "invalid VAT number \"\": must be 11 digits",
                Some("supplierVat")
            ),
            "Scegli il fornitore."
        );
        assert!(it(
            "invalid VAT number \"123\": must be 11 digits",
            Some("supplierVat")
        )
        .starts_with("La partita IVA non è valida"));
        assert!(it("invalid CUP \"ABC123\": has 6 characters", Some("cup"))
            .starts_with("Il CUP ha 15 caratteri"));
        // A VAT number typed in (the catalogue's new supplier) is not a choice.
        assert_eq!(
            it(
                "invalid VAT number \"\": must be 11 digits",
                Some("vatNumber")
            ),
            "Scrivi la partita IVA del fornitore (11 cifre)."
        );
        assert!(it("invalid email \"x\": has no @", Some("email"))
            .starts_with("Scrivi un indirizzo e-mail valido"));
        // A number out of range says the range, in each language's way of writing it.
        assert_eq!(
            it("must be between 1 and 100000", Some("cpuCores")),
            "Scrivi un numero da 1 a 100.000."
        );
        assert_eq!(
            explain_invalid("must be between 1 and 100000", Some("cpuCores"), true),
            "Write a number from 1 to 100,000."
        );
        // A term's range is said with its unit.
        assert!(it(
            "invalid term \"99999 giorni\": must be between 1 and 3650",
            Some("completionTerm")
        )
        .contains("giorni o mesi"));
        assert!(it("give the reason", Some("reason")).starts_with("Scrivi il motivo"));
        assert!(it("invalid date", Some("dueOn")).starts_with("Scrivi una data valida"));
        assert_eq!(
            it("something new the browser does not know", Some("dueOn")),
            "Il valore di «Scadenza» non è valido: correggilo e riprova."
        );
        assert_eq!(
            explain_invalid("something new", Some("dueOn"), true),
            "The value of “Due date” is not valid: correct it and try again."
        );
    }

    #[test]
    fn master_data_and_document_refusals_are_told_specifically() {
        use chrono::NaiveDate;
        use nuvola_shared::cloud::{check_supplier_until, OfferingQualification};
        use nuvola_shared::document::DocumentUse;
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let today = d(2026, 11, 30);
        let generic_it = "Il valore di";
        // The shared rules' own words, as the server sends them.
        let cap = nuvola_shared::deadline::check_hard_cap(Some(d(2001, 1, 1)), None, today)
            .unwrap_err()
            .to_string();
        assert!(explain_invalid(&cap, Some("hardCap"), false)
            .starts_with("Il termine ultimo dell'avviso non può essere un giorno già passato"));
        assert!(explain_invalid(&cap, Some("hardCap"), true)
            .starts_with("The call's final deadline cannot be a day already past"));
        let new = check_supplier_until(Some(d(2025, 6, 30)), None, today).unwrap_err();
        let rewritten = check_supplier_until(Some(d(2001, 1, 1)), Some(Some(d(2028, 1, 1))), today)
            .unwrap_err();
        let q = OfferingQualification {
            code: "ACME-IAAS".into(),
            name: "ACME".into(),
            service_model: nuvola_shared::ServiceModel::Iaas,
            max_data_class: nuvola_shared::DataClass::Ordinario,
            qualified_on: d(2024, 1, 1),
            qualified_until: d(2026, 1, 1),
        };
        let ended = q.check_on(today, None).unwrap_err();
        let beyond = OfferingQualification {
            qualified_until: d(2028, 1, 1),
            ..q
        }
        .check_on(today, Some(d(2027, 1, 1)))
        .unwrap_err();
        for (e, expected) in [
            (new, "nuovo fornitore"),
            (rewritten, "ieri"),
            (ended, "sarebbe già finita"),
            (beyond, "oltre la qualificazione del suo fornitore"),
        ] {
            let shown = explain_invalid(&e.message, Some(e.field), false);
            assert!(
                shown.contains(expected) && !shown.starts_with(generic_it),
                "{e}: {shown}"
            );
        }
        // A used document: why it stays, in both languages.
        for used in [
            DocumentUse::Answer,
            DocumentUse::Evidence,
            DocumentUse::Contract,
            DocumentUse::Record,
        ] {
            for en in [false, true] {
                let shown = explain_transition(used.reason(), en);
                assert!(
                    shown.starts_with(if en { "The" } else { "I" })
                        && !shown.contains("not allowed")
                        && !shown.contains("non è consentita"),
                    "{used:?}: {shown}"
                );
            }
        }
    }
}
