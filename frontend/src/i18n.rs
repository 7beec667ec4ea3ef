//! Italian by default, English on request: a small message table in the gettext style.
//!
//! The Italian sentence is its own key (`t("I miei progetti")`), so the code reads as the
//! page does and a missing translation falls back to Italian rather than to a code. The
//! language is one signal: every text that calls [`t`] inside a reactive closure
//! follows the switch. The choice is kept in `localStorage` and in `<html lang>`.

use leptos::prelude::*;
use nuvola_shared::{ApplicationState, Role, ServiceState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    It,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }
}

const STORAGE_KEY: &str = "nuvola.lang";

thread_local! {
    // Reference-counted, not owned by whichever component first asked: the language
    // outlives every page.
    static LANG: ArcRwSignal<Lang> = {
        let stored = storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .filter(|v| v == "en")
            .map_or(Lang::It, |_| Lang::En);
        set_html_lang(stored);
        ArcRwSignal::new(stored)
    };
}

fn signal() -> ArcRwSignal<Lang> {
    LANG.with(Clone::clone)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn set_html_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
}

/// The current language (tracked: a closure that reads it re-runs on a switch).
pub fn lang() -> Lang {
    signal().get()
}

/// Switches the language, remembers it and tells assistive technologies.
pub fn set_lang(lang: Lang) {
    signal().set(lang);
    set_html_lang(lang);
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, lang.code());
    }
}

/// `it` in the current language.
pub fn t(it: &'static str) -> &'static str {
    match lang() {
        Lang::It => it,
        Lang::En => english(it).unwrap_or(it),
    }
}

/// `it` as a view that follows the language switch. One closure type for every text,
/// so a page of texts costs one reactive instantiation in the wasm, not one per text.
pub fn tx(it: &'static str) -> impl IntoView {
    move || t(it)
}

/// `it` with `{}` replaced, in order, by `args`.
pub fn tf(it: &'static str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = t(it);
    for arg in args {
        match rest.split_once("{}") {
            Some((before, after)) => {
                out.push_str(before);
                out.push_str(arg);
                rest = after;
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

fn english(it: &str) -> Option<&'static str> {
    MESSAGES.iter().find(|(k, _)| *k == it).map(|(_, en)| *en)
}

pub fn state_label(state: ApplicationState) -> &'static str {
    use ApplicationState as S;
    match lang() {
        Lang::It => state.label_it(),
        Lang::En => match state {
            S::Submitted => "Submitted",
            S::Funded => "Funded",
            S::Contracted => "Contracted",
            S::Migrating => "Migrating",
            S::Completed => "Completed",
            S::UnderVerification => "Under verification",
            S::Verified => "Verified",
            S::PaymentRequested => "Payment requested",
            S::Paid => "Paid",
            S::Renounced => "Renounced",
            S::Revoked => "Revoked",
        },
    }
}

pub fn service_state_label(state: ServiceState) -> &'static str {
    use ServiceState as S;
    match lang() {
        Lang::It => state.label_it(),
        Lang::En => match state {
            S::NotStarted => "Not started",
            S::Assessed => "Assessed",
            S::Migrating => "Migrating",
            S::Testing => "Testing",
            S::Migrated => "Migrated",
            S::Failed => "Tests failed",
        },
    }
}

pub fn role_label(role: Role) -> &'static str {
    match lang() {
        Lang::It => role.label_it(),
        Lang::En => match role {
            Role::Administration => "Administration",
            Role::Supplier => "Cloud supplier",
            Role::Psn => "National Strategic Hub (PSN)",
            Role::Department => "Department",
            Role::Verifier => "Verifier",
            Role::Public => "Public",
        },
    }
}

/// ORDINARIO, CRITICO, STRATEGICO for people.
pub fn data_class_label(code: &str) -> String {
    let en = lang() == Lang::En;
    match (code, en) {
        ("ORDINARIO", false) => "Ordinario",
        ("ORDINARIO", true) => "Ordinary",
        ("CRITICO", false) => "Critico",
        ("CRITICO", true) => "Critical",
        ("STRATEGICO", false) => "Strategico",
        ("STRATEGICO", true) => "Strategic",
        _ => return code.to_owned(),
    }
    .to_owned()
}

/// Where a service runs today, for people.
pub fn origin_label(code: &str) -> String {
    let en = lang() == Lang::En;
    match (code, en) {
        ("ON_PREMISES", false) => "In sede (on-premises)",
        ("ON_PREMISES", true) => "On premises",
        ("NON_QUALIFIED_IAAS", false) => "IaaS non qualificato",
        ("NON_QUALIFIED_IAAS", true) => "Non-qualified IaaS",
        ("NON_QUALIFIED_PAAS", false) => "PaaS non qualificato",
        ("NON_QUALIFIED_PAAS", true) => "Non-qualified PaaS",
        _ => return code.to_owned(),
    }
    .to_owned()
}

/// IAAS → IaaS.
pub fn model_label(code: &str) -> String {
    match code {
        "IAAS" => "IaaS",
        "PAAS" => "PaaS",
        "SAAS" => "SaaS",
        "CAAS" => "CaaS",
        other => return other.to_owned(),
    }
    .to_owned()
}

pub fn modality_label(m: nuvola_shared::Modality) -> &'static str {
    match (m, lang()) {
        (_, Lang::It) => m.label_it(),
        (nuvola_shared::Modality::A, Lang::En) => "A - Secure transfer of the IT infrastructure",
        (nuvola_shared::Modality::B, Lang::En) => "B - Secure upgrade of applications in the cloud",
    }
}

/// Italian → English, roughly alphabetical (a test keeps the keys unique).
const MESSAGES: &[(&str, &str)] = &[
    // The login with an identity provider (pages/login.rs).
    ("Entra con SPID", "Sign in with SPID"),
    ("Entra con CIE", "Sign in with CIE"),
    ("Entra con", "Sign in with"),
    ("Con la tua identità digitale", "With your digital identity"),
    ("Oppure con nome utente e password", "Or with username and password"),
    ("Chi accede per la prima volta senza un ente potrà chiedere di operare per un'amministrazione o registrare un fornitore.", "If you sign in for the first time without an organisation, you can ask to act for an administration or register a supplier."),
    ("Questo gestore di identità non è configurato su Nuvola.", "This identity provider is not configured on Nuvola."),
    ("Il gestore di identità non risponde. Riprova tra qualche minuto.", "The identity provider does not answer. Try again in a few minutes."),
    ("Il gestore di identità non ha concluso l'accesso (forse lo hai annullato). Riprova.", "The identity provider did not complete the sign-in (perhaps you cancelled it). Try again."),
    ("Questa risposta del gestore di identità è già stata usata o non è di un accesso avviato qui. Riprova dall'inizio.", "This answer of the identity provider was already used or is not of a sign-in started here. Start again."),
    ("L'accesso è durato più di 10 minuti ed è scaduto. Riprova.", "The sign-in took more than 10 minutes and expired. Try again."),
    ("La risposta viene da un gestore di identità diverso da quello scelto: accesso rifiutato.", "The answer comes from another identity provider than the one chosen: sign-in refused."),
    ("Il gestore di identità ha rifiutato il codice di accesso (già usato o scaduto). Riprova dall'inizio.", "The identity provider refused the sign-in code (already used or expired). Start again."),
    ("L'identità ricevuta non ha una firma valida: accesso rifiutato per sicurezza.", "The identity received has no valid signature: sign-in refused for your safety."),
    ("L'identità ricevuta non corrisponde a questo accesso: accesso rifiutato per sicurezza.", "The identity received does not belong to this sign-in: sign-in refused for your safety."),
    ("I dati della persona inviati dal gestore di identità non sono validi: accesso rifiutato.", "The personal data sent by the identity provider are not valid: sign-in refused."),
    ("Il livello di sicurezza dell'accesso è inferiore a quello richiesto da Nuvola (SPID livello 2 o superiore).", "The sign-in's level of assurance is lower than Nuvola requires (SPID level 2 or higher)."),
    ("Il gestore di identità non ha comunicato un codice fiscale valido.", "The identity provider did not send a valid fiscal code."),
    ("Questo account è disattivato. Rivolgiti al Dipartimento.", "This account is disabled. Contact the Department."),
    ("Troppi accessi avviati da questa rete in un minuto. Attendi un minuto e riprova.", "Too many logins started from this network in one minute. Wait a minute and try again."),
    ("L'accesso con il gestore di identità non è riuscito. Riprova.", "Signing in with the identity provider failed. Try again."),
    ("Importazione dati aperti", "Open-data import"),
    ("Importazione dei dati aperti", "Importing open data"),
    ("Carica gli ultimi file pubblicati da PA digitale 2026: prima il file degli avvisi, poi le candidature. Vedrai cosa cambierebbe prima di confermare; nessun dato viene cancellato.", "Upload the newest files published by PA digitale 2026: the calls file first, then the applications. You will see what would change before you confirm; no data is deleted."),
    ("File da importare (CSV o JSON, al massimo 5)", "Files to import (CSV or JSON, at most 5)"),
    ("Nell'ordine in cui li scegli: il file degli avvisi decide la misura di ogni avviso.", "In the order you choose them: the calls file decides the measure of each call."),
    ("Carica e mostra l'anteprima", "Upload and preview"),
    ("Scegli almeno un file da importare.", "Choose at least one file to import."),
    ("Caricamento dei file e anteprima in corso…", "Uploading the files and preparing the preview…"),
    ("File caricati", "Files uploaded"),
    ("Anteprima pronta: conferma o annulla", "Preview ready: confirm or cancel"),
    ("In coda: parte appena il server è libero", "Queued: it starts as soon as the server is free"),
    ("Importazione in corso", "Import in progress"),
    ("Importazione completata", "Import completed"),
    ("Importazione non riuscita: nessun dato è stato scritto", "Import failed: no data was written"),
    ("Importazione annullata", "Import cancelled"),
    ("File: {}", "Files: {}"),
    ("Avanzamento dell'importazione", "Import progress"),
    ("Risultato", "Result"),
    ("Anteprima: cosa cambierebbe", "Preview: what would change"),
    ("Confermi l'importazione? I progetti nuovi saranno aggiunti e quelli cambiati aggiornati come nell'anteprima; nessun progetto sarà cancellato.", "Confirm the import? New projects will be added and changed ones updated as in the preview; no project will be deleted."),
    ("Conferma l'importazione", "Confirm the import"),
    ("Sì, importa", "Yes, import"),
    ("No, torna all'anteprima", "No, back to the preview"),
    ("file rifiutato, non sarà importato nulla: ", "file refused, nothing of it will be imported: "),
    ("il file non ha righe: non si importa nulla e non si cancella nulla.", "the file has no rows: nothing is imported and nothing is deleted."),
    ("avvisi", "calls"),
    ("candidature", "applications"),
    ("{} nuove", "{} new"),
    ("{} aggiornate", "{} updated"),
    ("{} invariate", "{} unchanged"),
    ("{} scartate", "{} skipped"),
    ("{} avvisi di qualità", "{} data-quality warnings"),
    ("Progetti aggiornati (campione)", "Updated projects (sample)"),
    ("Avvisi di qualità dei dati", "Data-quality warnings"),
    ("riga {}", "line {}"),
    ("Righe scartate", "Skipped rows"),
    ("Righe di altre misure (non importate)", "Rows of other measures (not imported)"),
    ("Qualità dei dati pubblicati", "Quality of the published data"),
    ("{} progetti hanno identificativi fuori standard o valori illeggibili: sono importati come pubblicati e contano nei totali.", "{} projects have non-standard identifiers or unreadable values: they are imported as published and count in the totals."),
    ("Problema", "Problem"),
    ("Seleziona", "Select"),
    ("{} servizi aggiornati.", "{} services updated."),
    ("Seleziona almeno un servizio.", "Select at least one service."),
    ("Il servizio «{}» non può passare a questo stato: i passaggi previsti sono Da avviare → Analizzato → In migrazione → In collaudo → Migrato (o Collaudo fallito → In migrazione).", "The service «{}» cannot move to this status: the steps are Not started → Assessed → Migrating → Testing → Migrated (or Tests failed → Migrating)."),
    ("Nuovo stato dei servizi selezionati", "New status of the selected services"),
    ("Aggiorna i servizi selezionati ({})", "Update the selected services ({})"),
    ("Cronologia del progetto", "Project history"),
    ("Dichiara completamento", "Declare completion"),
    ("Richiedi l'erogazione", "Request payment"),
    ("Rinuncia al finanziamento", "Renounce the funding"),
    ("Motivo della rinuncia", "Reason for renouncing"),
    ("Motivo", "Reason"),
    ("Azioni sul progetto", "Project actions"),
    ("Completamento dichiarato.", "Completion declared."),
    ("Domanda di erogazione inviata.", "Payment request sent."),
    ("Nessun evento registrato.", "No event recorded."),
    ("Cambio di stato del progetto", "Project state changed"),
    ("Cambio di stato di un servizio", "Service status changed"),
    ("Finestra di cut-over pianificata", "Cut-over window scheduled"),
    ("Questionario di assessment aggiornato", "Assessment questionnaire updated"),
    ("Documento caricato", "Document uploaded"),
    ("Scadenza superata", "Deadline missed"),
    ("Ritardo sanato", "Delay cleared"),
    ("Richiesta dell'asseveratore aperta", "Verifier's request opened"),
    ("Esito dell'asseverazione registrato", "Verification outcome recorded"),
    ("Verifica registrata", "Check recorded"),
    ("Dati aperti importati", "Open data imported"),
    ("Piano di migrazione modificato", "Migration plan changed"),
    ("Aggiornamento del progetto", "Project updated"),
    ("Contratto registrato", "Contract recorded"),
    ("Altri progetti dello stesso ente", "Other projects of the same body"),
    ("Apertura", "Opens"),
    ("Candidatura inviata il", "Application sent on"),
    ("Chiusura", "Closes"),
    ("Denominazione", "Name"),
    ("Dotazione", "Budget"),
    ("Elenco dei progetti", "List of projects"),
    ("Enti", "Bodies"),
    ("Finanziati, in corso", "Funded, in progress"),
    ("Finestra temporale", "Time window"),
    ("Giorni di ritardo", "Days late"),
    ("I progetti che il Dipartimento ti ha assegnato: per ciascuno il piano dei servizi da verificare.", "The projects the Department assigned to you: for each, the plan of services to verify."),
    ("I servizi che le amministrazioni hanno affidato a {}, in tutti i progetti.", "The services administrations entrusted to {}, across all projects."),
    ("L'andamento della misura 1.2 in tutta Italia: progetti, importi, scadenze e obiettivo nazionale.", "Measure 1.2 across Italy: projects, amounts, deadlines and the national target."),
    ("Le candidature finanziate dalla misura 1.2 del PNRR, dai dati aperti di PA digitale 2026: filtra per regione, avviso, tipo di ente e stato del progetto.", "The applications funded by NRRP measure 1.2, from the open data of PA digitale 2026: filter by region, call, type of body and project state."),
    ("Le cifre principali", "Key figures"),
    ("Mappa delle regioni: progetti per regione (i dati sono nella tabella accanto)", "Map of the regions: projects by region (the data is in the table beside it)"),
    ("Mese", "Month"),
    ("Misura", "Measure"),
    ("Obiettivo PNRR: {} amministrazioni migrate entro giugno 2026.", "NRRP target: {} administrations migrated by June 2026."),
    ("Paginazione", "Pagination"),
    ("Per ogni mese, i progetti finanziati con un decreto di quel mese e quanti di essi sono stati poi rinunciati o liquidati.", "For each month, the projects funded by a decree of that month and how many of them were later renounced or paid."),
    ("Più scuro il riquadro, più progetti nella regione.", "The darker the tile, the more projects in the region."),
    ("Progetti e importi per avviso", "Projects and amounts by call"),
    ("Progetti e importi per regione", "Projects and amounts by region"),
    ("Progetti e importi per stato", "Projects and amounts by state"),
    ("Progetti e importi per tipo di ente", "Projects and amounts by type of body"),
    ("Progetti finanziati per la migrazione al cloud", "Funded cloud migration projects"),
    ("Progetti finanziati per mese del decreto (i dati sono nella tabella sotto)", "Projects funded by month of the decree (the data is in the table below)"),
    ("Progetti in ritardo", "Overdue projects"),
    ("Progetti per stato", "Projects by state"),
    ("Protocollo del decreto", "Decree protocol"),
    ("Scarica CSV dei progetti della regione", "Download the region's projects as CSV"),
    ("Sede", "Seat"),
    ("Stato nei dati aperti", "State in the open data"),
    ("Successivi ›", "Next ›"),
    ("Cerca ente o CUP", "Search body or CUP"),
    ("1 progetto.", "1 project."),
    ("{} progetti.", "{} projects."),
    ("Mostra altri progetti", "Show more projects"),
    ("Ne vedi {} su {}.", "Showing {} of {}."),
    ("1 richiesta.", "1 request."),
    ("{} richieste.", "{} requests."),
    ("Nessun progetto assegnato in questo stato o con questa ricerca.", "No assigned project in this state or with this search."),
    ("Termini", "Terms"),
    ("Totali", "Totals"),
    ("Tutti gli avvisi", "All calls"),
    ("Tutti i tipi", "All types"),
    ("{} progetti hanno superato la prossima scadenza; i più in ritardo:", "{} projects are past their next deadline; the latest:"),
    ("{} servizi su {}.", "{} services of {}."),
    ("‹ Precedenti", "‹ Previous"),
    ("Azioni", "Actions"),
    ("Contratto entro", "Contract within"),
    ("completamento entro", "completion within"),
    ("Contratto registrato.", "Contract recorded."),
    ("I progetti di migrazione al cloud del tuo ente: lo stato, l'importo finanziato e la prossima scadenza.", "Your body's cloud migration projects: state, amount funded and next deadline."),
    ("Il piano si può modificare finché il progetto è finanziato o contrattualizzato e il servizio non è in migrazione.", "The plan can change while the project is funded or contracted and the service is not migrating yet."),
    ("Il primo contratto porta il progetto nello stato «Contrattualizzata» e fa partire il termine per il completamento.", "The first contract moves the project to «Contracted» and starts the completion term."),
    ("Questo passaggio non è finanziato dalla misura 1.2.", "This move is not funded by measure 1.2."),
    ("Servizi migrati", "Services migrated"),
    ("Servizio salvato nel piano.", "Service saved in the plan."),
    ("qualificata fino al", "qualified until"),
    ("Completamento della migrazione", "Migration completed"),
    ("L'area riservata è per le amministrazioni, i fornitori cloud e il PSN, il Dipartimento e gli asseveratori. I dati aperti sono consultabili senza accedere.", "The reserved area is for administrations, cloud suppliers and PSN, the Department and verifiers. The open data can be read without logging in."),
    ("Scrivi il nome utente e la password.", "Write the username and the password."),
    ("Accedi all'area riservata", "Log in to the reserved area"),
    ("Contratto con il fornitore", "Supplier contract"),
    ("Il sistema aperto della migrazione al cloud della PA", "The open system of the PA's cloud migration"),
    ("Link utili", "Useful links"),
    ("PNRR, Missione 1, Componente 1, Investimento 1.2: Abilitazione e facilitazione migrazione al cloud.", "NRRP, Mission 1, Component 1, Investment 1.2: enabling and facilitating the migration to the cloud."),
    ("Fonte: PA digitale 2026, Dipartimento per la trasformazione digitale, licenza ", "Source: PA digitale 2026, Department for digital transformation, licence "),
    ("Percorso di navigazione", "Breadcrumb"),
    ("(nessuno)", "(none)"),
    ("(nessuna)", "(none)"),
    ("Abbiamo controllato i dati prima di inviarli: correggi il campo indicato.", "We checked the data before sending it: correct the field shown."),
    ("Accedi", "Log in"),
    ("Accedi a Nuvola", "Log in to Nuvola"),
    ("Accedi per continuare.", "Log in to continue."),
    ("Accesso in corso…", "Logging in…"),
    ("Aggiungi un servizio al piano", "Add a service to the plan"),
    ("Amministrazioni beneficiarie", "Beneficiary administrations"),
    ("Annulla", "Cancel"),
    ("Apri il progetto", "Open the project"),
    ("Area riservata", "Reserved area"),
    ("Avanzamento verso l'obiettivo nazionale", "Progress towards the national target"),
    ("Avviso", "Call"),
    ("Azzera i filtri", "Clear the filters"),
    ("Cambia lingua", "Change language"),
    ("Caricamento dei progetti…", "Loading the projects…"),
    ("Caricamento del cruscotto…", "Loading the dashboard…"),
    ("Caricamento del progetto…", "Loading the project…"),
    ("Caricamento dei servizi…", "Loading the services…"),
    ("Cerca ente o servizio", "Search administration or service"),
    ("Classe dei dati", "Data class"),
    ("Codice IPA", "IPA code"),
    ("Comune", "Municipality"),
    ("Contatti", "Contacts"),
    ("Cruscotto nazionale", "National dashboard"),
    ("Dashboard", "Dashboard"),
    ("Data del contratto", "Contract date"),
    ("Dati aperti", "Open data"),
    ("Dati in tabella", "Data as a table"),
    ("Destinazione", "Destination"),
    ("Dichiarazione di accessibilità", "Accessibility statement"),
    ("Dove si trova oggi", "Where it runs today"),
    ("Ente", "Administration"),
    ("Enti beneficiari", "Beneficiary bodies"),
    ("Enti con progetto liquidato", "Bodies with a paid project"),
    ("Enti finanziati", "Funded bodies"),
    ("Esci", "Log out"),
    ("Feedback", "Feedback"),
    ("API e dati aperti", "API and open data"),
    ("Finanziati", "Funded"),
    ("Finanziato il", "Funded on"),
    ("Finestra di cut-over", "Cut-over window"),
    ("Fornitore", "Supplier"),
    ("I miei progetti", "My projects"),
    ("I servizi a contratto", "Contracted services"),
    ("Il piano di migrazione", "The migration plan"),
    ("Il piano non ha ancora servizi.", "The plan has no services yet."),
    ("Il programma", "The programme"),
    ("Importo", "Amount"),
    ("Importo finanziato", "Amount funded"),
    ("In questa regione", "In this region"),
    ("Indietro", "Back"),
    ("Lingua", "Language"),
    ("Liquidati", "Paid"),
    ("Mappa delle regioni", "Map of the regions"),
    ("Menu principale", "Main menu"),
    ("Apri il menu", "Open the menu"),
    ("{} da «{}»", "{} from “{}”"),
    ("{} servizi passeranno a «{}»: {}. Il passaggio è registrato e l'ente lo vede subito.", "{} services will move to “{}”: {}. The move is recorded and the administration sees it at once."),
    ("{} servizi passeranno a «{}»: tutti quelli che corrispondono ai filtri, in tutte le pagine, da «{}». Il passaggio è registrato e l'ente lo vede subito.", "{} services will move to “{}”: every one matching the filters, on every page, from “{}”. The move is recorded and the administration sees it at once."),
    ("{} servizi passeranno a «{}»: tutti quelli che corrispondono ai filtri, in tutte le pagine. Se anche uno solo non può passare a questo stato, nessuno cambia. Il passaggio è registrato e l'ente lo vede subito.", "{} services will move to “{}”: every one matching the filters, on every page. If even one of them cannot move to this status, none changes. The move is recorded and the administration sees it at once."),
    ("Nel frattempo i servizi che corrispondono ai filtri sono cambiati: nessuno è stato aggiornato. La pagina è stata ricaricata: controlla il numero e conferma di nuovo.", "The services matching the filters changed meanwhile: none was updated. The page has been reloaded: check the number and confirm again."),
    ("Aggiorna tutti i {} servizi filtrati", "Update all {} filtered services"),
    ("Sono selezionati tutti i {} servizi che corrispondono ai filtri, in tutte le pagine.", "All {} services matching the filters are selected, on every page."),
    ("Seleziona tutti i {} servizi che corrispondono ai filtri", "Select all {} services matching the filters"),
    ("Annulla la selezione", "Clear the selection"),
    ("Pagina {} di {}", "Page {} of {}"),
    ("I contratti dei progetti dei servizi in questa pagina.", "The contracts of the projects of the services on this page."),
    ("Conferma l'aggiornamento dei servizi", "Confirm the services' update"),
    ("Conferma l'aggiornamento", "Confirm the update"),
    ("Chiudi il menu", "Close the menu"),
    ("Migrazione al cloud della Pubblica Amministrazione · PNRR Misura 1.2", "Cloud migration of the Italian public administration · NRRP Measure 1.2"),
    ("Modalità", "Modality"),
    ("Modifica", "Edit"),
    ("Modifica il servizio", "Edit the service"),
    ("Nessun progetto ti è assegnato.", "No project is assigned to you."),
    ("Nessun servizio corrisponde ai filtri.", "No service matches the filters."),
    ("Nessuna scadenza", "No deadline"),
    ("Nessuno", "None"),
    ("Nome del servizio", "Service name"),
    ("Nome utente", "Username"),
    ("Non hai ancora progetti.", "You have no projects yet."),
    ("Non hai servizi a contratto.", "You have no contracted services."),
    ("Note legali e fonti dei dati", "Legal notes and data sources"),
    ("Offerta cloud qualificata", "Qualified cloud offering"),
    ("Pagina non trovata", "Page not found"),
    ("Password", "Password"),
    ("Per avviso", "By call"),
    ("Per regione", "By region"),
    ("Per stato", "By state"),
    ("Per tipo di ente", "By type of body"),
    ("Progetti", "Projects"),
    ("Progetti da asseverare", "Projects to verify"),
    ("Progetti finanziati per mese del decreto", "Projects funded by month of the decree"),
    ("Progetto", "Project"),
    ("Prossima scadenza", "Next deadline"),
    ("Questa pagina è riservata ad altri ruoli.", "This page is reserved for other roles."),
    ("Regione", "Region"),
    ("Registra il contratto", "Record the contract"),
    ("Registra un contratto", "Record a contract"),
    ("Rinunciati", "Renounced"),
    ("Salva il servizio", "Save the service"),
    ("Salvataggio…", "Saving…"),
    ("Scadenza", "Deadline"),
    ("Scarica CSV", "Download CSV"),
    ("Segnala un problema o un suggerimento", "Report a problem or a suggestion"),
    ("Servizi", "Services"),
    ("Servizi coperti dal contratto", "Services the contract covers"),
    ("Servizio", "Service"),
    ("Servizio dal catalogo", "Service from the catalogue"),
    ("Stato", "State"),
    ("Stato del progetto", "Project state"),
    ("Stato del servizio", "Service state"),
    ("Tipo di ente", "Type of body"),
    ("Torna alla tua area", "Back to your area"),
    ("Tutte le regioni", "All regions"),
    ("Tutti gli stati", "All states"),
    ("Vai al contenuto principale", "Skip to main content"),
    ("Vai alla tua area", "Go to your area"),
    ("altro nome…", "other name…"),
    ("scaduta da {} giorni", "overdue by {} days"),
    ("avanzamento non comunicato", "progress not reported"),
    ("motivo", "reason"),
    ("esito parzialmente positivo dell'asseverazione", "verification partially positive"),
    ("Avanzamento non comunicato", "Progress not reported"),
    ("Altri {} progetti hanno superato una scadenza secondo le regole dell'avviso senza aver mai comunicato l'avanzamento in Nuvola: i dati aperti dicono solo che sono finanziati, perciò non sono contati come in ritardo (avanzamento non comunicato).", "Another {} projects have passed a deadline by their call's rules without ever reporting progress in Nuvola: the open data says only that they are funded, so they are not counted as late (progress not reported)."),
    ("Avanzamento", "Progress"),
    ("Non comunicato in Nuvola", "Not reported in Nuvola"),
    ("La scadenza è passata secondo le regole dell'avviso, ma l'ente non ha mai comunicato l'avanzamento in Nuvola: non si sa se sia in ritardo.", "The deadline has passed by the call's rules, but the body has never reported its progress in Nuvola: whether it is late is unknown."),
    ("scade oggi", "due today"),
    ("tra {} giorni", "in {} days"),
    // Issue 5, items 3 and 4: requests, uploads, notifications, questionnaires,
    // cut-over windows, live updates.
    ("Aggiornamenti in tempo reale attivi", "Live updates on"),
    ("Aggiornamenti in tempo reale non attivi", "Live updates off"),
    ("Aggiornato ora: il progetto è «{}».", "Just updated: the project is “{}”."),
    ("Aggiornato ora: {} è «{}».", "Just updated: {} is “{}”."),
    ("Allega un documento a «{}»", "Attach a document to “{}”"),
    ("Aperta", "Open"),
    ("Applicativo", "Application"),
    ("Attivazione del fornitore", "Provider activated on"),
    ("Avanzamento del caricamento", "Upload progress"),
    ("CPU (core)", "CPU (cores)"),
    ("Carica il documento", "Upload the document"),
    ("Carica un documento", "Upload a document"),
    ("Carica un documento del progetto", "Upload a project document"),
    ("Carica un'evidenza per {}", "Upload evidence for {}"),
    ("Caricamento delle notifiche…", "Loading the notifications…"),
    ("Caricamento delle richieste…", "Loading the requests…"),
    ("Caricamento in corso…", "Uploading…"),
    ("Caricato: {}.", "Uploaded: {}."),
    ("Chiusa", "Closed"),
    ("Documenti allegati", "Attached documents"),
    ("Documenti del progetto", "The project's documents"),
    ("Documenti e richieste aggiornati.", "Documents and requests updated."),
    ("Evidenze della migrazione", "Evidence of the migration"),
    ("File da caricare", "File to upload"),
    ("Fine del fermo", "Downtime ends"),
    ("Finestra di cut-over di {}", "Cut-over window of {}"),
    ("Inizio del fermo", "Downtime starts"),
    ("Inizio della migrazione", "Migration started on"),
    ("Invia la risposta", "Send the answer"),
    ("Le richieste di documenti sui tuoi progetti: rispondi entro la scadenza, o il finanziamento è a rischio.", "The document requests on your projects: answer by the due date, or the funding is at risk."),
    ("Memoria (GB)", "Memory (GB)"),
    ("Messa in esercizio", "Go-live"),
    ("Mostra le precedenti", "Show older ones"),
    ("Nessun documento caricato.", "No document uploaded."),
    ("Nessun questionario compilato.", "No questionnaire filled in."),
    ("Nessuna finestra pianificata.", "No window scheduled."),
    ("Nessuna notifica.", "No notifications."),
    ("Non ci sono richieste sui tuoi progetti.", "There are no requests on your projects."),
    ("Non letta", "Unread"),
    ("Nota per l'asseveratore", "Note for the verifier"),
    ("Una risposta porta almeno un documento allegato o una nota.", "An answer carries at least one attached document or a note."),
    ("Notifica", "Notification"),
    ("Notifiche", "Notifications"),
    ("Notifiche, 1 da leggere", "Notifications, 1 unread"),
    ("Notifiche, nessuna da leggere", "Notifications, none unread"),
    ("Notifiche, {} da leggere", "Notifications, {} unread"),
    ("Nuova versione del questionario", "New version of the questionnaire"),
    ("Pianifica il cut-over", "Schedule the cut-over"),
    ("Questionari, finestre di cut-over ed evidenze", "Questionnaires, cut-over windows and evidence"),
    ("Questionario di assessment", "Assessment questionnaire"),
    ("Questionario di {}", "Questionnaire of {}"),
    ("Richiesta dell'asseveratore scaduta", "Verifier's request overdue"),
    ("Richieste", "Requests"),
    ("Richieste dell'asseveratore", "The verifier's requests"),
    ("Risposta inviata", "Answered"),
    ("Risposta inviata il", "Answered on"),
    ("Salva il questionario", "Save the questionnaire"),
    ("Scegli un file da caricare.", "Choose a file to upload."),
    ("Segna come letta", "Mark as read"),
    ("Segna tutte come lette", "Mark all as read"),
    ("Servizio aggiornato.", "Service updated."),
    ("Solo non lette", "Unread only"),
    ("Spazio disco (GB)", "Storage (GB)"),
    ("Stato sconosciuto", "Unknown state"),
    ("Termine del contratto superato", "Contract deadline missed"),
    ("Termine di completamento superato", "Completion deadline missed"),
    ("Tipo di documento", "Kind of document"),
    ("Utenti", "Users"),
    ("Vai al progetto {}", "Go to project {}"),
    ("Versione", "Version"),
    ("Versioni precedenti", "Earlier versions"),
    ("go-live", "go-live"),
    ("inviata il", "sent on"),
    ("utenti", "users"),
    ("{} notifiche.", "{} notifications."),
    // Issue 5: the verifier's verification page and the department's project page.
    ("I progetti che il Dipartimento ti ha assegnato: apri un progetto per verificarne il piano, chiedere documenti e registrare l'esito.", "The projects the Department assigned to you: open one to check its plan, ask for documents and record the outcome."),
    ("Esito registrato", "Outcome recorded"),
    ("Il progetto non è in verifica: puoi consultarlo, ma non registrare verifiche, richieste o esiti.", "The project is not under verification: you can read it, but not record checks, requests or outcomes."),
    ("Piano di migrazione", "Migration plan"),
    ("Lista di controllo", "Checklist"),
    ("Richieste di documenti", "Document requests"),
    ("Voce", "Item"),
    ("Esito", "Outcome"),
    ("Note", "Notes"),
    ("Registrata il", "Recorded on"),
    ("Registra una verifica", "Record a check"),
    ("Servizio verificato", "Service checked"),
    ("Voce della lista", "Checklist item"),
    ("Esito della verifica", "Outcome of the check"),
    ("Note della verifica", "Notes on the check"),
    ("Registra la verifica", "Record the check"),
    ("Chiudi la richiesta", "Close the request"),
    ("Riapri la richiesta", "Reopen the request"),
    ("Aperta il", "Opened on"),
    ("Risposta del", "Answered on"),
    ("Risposta dell'ente", "The body's answer"),
    ("Chiudi", "Close"),
    ("Nuova scadenza", "New due date"),
    ("Riapri", "Reopen"),
    ("Nuova richiesta di documenti", "New document request"),
    ("Titolo della richiesta", "Title of the request"),
    ("Documenti richiesti", "Documents requested"),
    ("Da consegnare entro", "Due by"),
    ("Invio…", "Sending…"),
    ("Invia la richiesta", "Send the request"),
    ("Esito dell'asseverazione", "Verification outcome"),
    ("Servizi da rifare", "Services to redo"),
    ("Note sull'esito", "Notes on the outcome"),
    ("Registra l'esito", "Record the outcome"),
    ("Nessuna verifica registrata.", "No check recorded."),
    ("Nessuna richiesta di documenti.", "No document request."),
    ("Verifica registrata.", "Check recorded."),
    ("Richiesta chiusa.", "Request closed."),
    ("Richiesta riaperta.", "Request reopened."),
    ("Richiesta inviata all'ente.", "Request sent to the body."),
    ("Esito registrato.", "Outcome recorded."),
    ("Servizio attivo sull'ambiente cloud qualificato", "Service live on the qualified cloud"),
    ("Dati migrati integralmente", "Data migrated in full"),
    ("Collaudo superato", "Acceptance test passed"),
    ("Documentazione di conformità presente", "Conformity documents present"),
    ("Conforme", "Conforming"),
    ("Non conforme", "Not conforming"),
    ("Non applicabile", "Not applicable"),
    ("Positivo", "Positive"),
    ("Parzialmente positivo", "Partially positive"),
    ("Negativo", "Negative"),
    ("Riscontrata", "Answered"),
    ("Data del decreto", "Decree date"),
    ("{} giorni di ritardo (dal {})", "{} days late (since {})"),
    ("Assegna un asseveratore", "Assign a verifier"),
    ("Nome utente dell'asseveratore", "Verifier's username"),
    ("Assegna l'asseveratore", "Assign the verifier"),
    ("Registra il pagamento", "Record the payment"),
    ("Pagamento registrato: il progetto è liquidato.", "Payment recorded: the project is paid."),
    ("Revoca il finanziamento", "Revoke the funding"),
    ("Motivo della revoca", "Reason for the revocation"),
    ("Da 10 a 2.000 caratteri: il motivo resta agli atti ed è visibile all'ente.", "10 to 2,000 characters: the reason is kept on record and shown to the body."),
    ("Confermi la revoca del finanziamento? L'operazione non si può annullare.", "Do you confirm the revocation of the funding? It cannot be undone."),
    ("Conferma la revoca", "Confirm the revocation"),
    ("Revoca", "Revoke"),
    ("Azioni del Dipartimento", "The Department's actions"),
    ("Il piano di migrazione è vuoto.", "The migration plan is empty."),
    ("Asseveratore assegnato: il progetto è in verifica.", "Verifier assigned: the project is under verification."),
    ("Finanziamento revocato.", "Funding revoked."),
    // Issue 5: the catalogue of qualified suppliers, the terms of the calls, the live feed's reconnection.
    ("scaduta", "expired"),
    ("Caricamento…", "Loading…"),
    ("Fornitori qualificati", "Qualified suppliers"),
    ("Il catalogo nazionale dei servizi cloud qualificati: i fornitori, il PSN e le loro offerte, con la scadenza della qualificazione.", "The national catalogue of qualified cloud services: the suppliers, PSN and their offerings, with the end of each qualification."),
    ("Nessun fornitore qualificato.", "No qualified supplier."),
    ("Fornitori e offerte", "Suppliers and offerings"),
    ("qualificato fino al", "qualified until"),
    ("Nessuna offerta qualificata.", "No qualified offering."),
    ("Offerte di {}", "Offerings of {}"),
    ("Codice", "Code"),
    ("Offerta", "Offering"),
    ("Modello di servizio", "Service model"),
    ("Modello di rilascio", "Deployment"),
    ("Classe massima dei dati", "Highest data class"),
    ("Qualificata dal", "Qualified from"),
    ("Qualificata fino al", "Qualified until"),
    ("Cloud pubblico", "Public cloud"),
    ("Cloud privato", "Private cloud"),
    ("Cloud ibrido", "Hybrid cloud"),
    ("Qualifica un fornitore", "Qualify a supplier"),
    ("Partita IVA", "VAT number"),
    ("Ragione sociale", "Company name"),
    ("Qualificato fino al", "Qualified until"),
    ("Polo Strategico Nazionale (PSN)", "National Strategic Hub (PSN)"),
    ("Qualifica il fornitore", "Qualify the supplier"),
    ("Fornitore qualificato.", "Supplier qualified."),
    ("Qualifica un'offerta", "Qualify an offering"),
    ("Fornitore dell'offerta", "Supplier of the offering"),
    ("(scegli)", "(choose)"),
    ("Codice dell'offerta", "Offering code"),
    ("Nome dell'offerta", "Offering name"),
    ("Una qualificazione dura al massimo 36 mesi.", "A qualification lasts at most 36 months."),
    ("Qualifica l'offerta", "Qualify the offering"),
    ("Offerta qualificata.", "Offering qualified."),
    ("Termini degli avvisi", "Terms of the calls"),
    ("Le scadenze di ogni avviso: il contratto con il fornitore, il completamento della migrazione e il termine ultimo. Le scadenze dei progetti seguono subito.", "The deadlines of every call: the supplier contract, the completion of the migration and the final deadline. Projects' deadlines follow at once."),
    ("Nessun avviso.", "No call."),
    ("Completamento entro", "Completion within"),
    ("Termine ultimo", "Final deadline"),
    ("Modifica i termini di {}", "Edit the terms of {}"),
    ("dal finanziamento", "from the funding"),
    ("dal contratto", "from the contract"),
    ("{} progetti", "{} projects"),
    ("31/03/2026 (programma)", "31/03/2026 (programme)"),
    ("Termini di «{}»", "Terms of \"{}\""),
    ("Versione letta: {}. Un termine si scrive in giorni o mesi, per esempio «6 mesi» o «120 giorni»; vuoto se l'avviso non lo fissa.", "Version read: {}. A term is written in days or months, e.g. \"6 months\" or \"120 days\"; empty when the call sets none."),
    ("Contratto con il fornitore entro", "Supplier contract within"),
    ("Il completamento decorre", "Completion runs"),
    ("Termine ultimo dell'avviso", "The call's final deadline"),
    ("Salva i termini", "Save the terms"),
    ("Termini dell'avviso salvati.", "Terms of the call saved."),
    ("Promemoria", "Reminders"),
    ("nessuno", "none"),
    ("{} giorni prima", "{} days before"),
    ("Promemoria dell'avviso salvati.", "Reminders of the call saved."),
    ("Promemoria prima delle scadenze", "Reminders before the deadlines"),
    ("I giorni prima di ogni scadenza (contratto, completamento, risposta all'asseveratore) in cui le amministrazioni ricevono un promemoria, separati da virgole: da 1 a {} giorni, al massimo {}. Vuoto: nessun promemoria.", "The days before each deadline (contract, completion, answer to the verifier) on which the administrations get a reminder, separated by commas: 1 to {} days, at most {}. Empty: no reminders."),
    ("Giorni prima della scadenza", "Days before the deadline"),
    ("Salva i promemoria", "Save the reminders"),
    ("«{}» non è un numero di giorni: scrivi i giorni separati da virgole, per esempio «30, 7, 1».", "«{}» is not a number of days: write the days separated by commas, for example «30, 7, 1»."),
    ("Ogni promemoria va da 1 a {} giorni prima della scadenza: {} non va bene.", "Each reminder goes 1 to {} days before the deadline: {} will not do."),
    ("Il giorno {} è ripetuto: scrivilo una volta sola.", "Day {} is repeated: write it once."),
    ("Al massimo {} promemoria per scadenza.", "At most {} reminders per deadline."),
    ("Aggiornamenti in tempo reale ripristinati: dati ricaricati.", "Live updates restored: data reloaded."),
    ("Aggiornamenti in tempo reale interrotti: nuovo tentativo tra {} s.", "Live updates interrupted: trying again in {} s."),
    // Irreversible steps: what will happen, and the confirmation.
    ("Conferma il completamento", "Confirm completion"),
    ("Dichiari che ogni servizio del piano è migrato. Il progetto passa alla verifica dell'asseveratore e il piano non si potrà più modificare.", "You declare every service of the plan migrated. The project goes to the verifier's check and the plan can no longer be changed."),
    ("Invia la domanda di erogazione", "Send the payment request"),
    ("Invii la domanda di erogazione al Dipartimento. Dopo l'invio non si potrà più rinunciare al finanziamento.", "You send the payment request to the Department. Once it is sent the funding can no longer be renounced."),
    ("Ritira la richiesta di rinuncia", "Withdraw the renunciation request"),
    ("Ritiri la richiesta: il progetto prosegue come prima e potrai di nuovo registrare il contratto, dichiarare il completamento e chiedere l'erogazione.", "You withdraw the request: the project goes on as before and you can again record the contract, declare completion and request payment."),
    ("Conferma il ritiro", "Confirm the withdrawal"),
    ("Richiesta di rinuncia ritirata.", "Renunciation request withdrawn."),
    ("Rinuncia richiesta, in attesa del decreto del Dipartimento", "Renunciation requested, awaiting the Department's decree"),
    ("Richiesta il", "Requested on"),
    ("Da 10 a 2.000 caratteri. La rinuncia diventa effettiva solo con il decreto del Dipartimento; fino ad allora puoi ritirare la richiesta.", "10 to 2,000 characters. The renunciation takes effect only with the Department's decree; until then you can withdraw the request."),
    ("Richiedi la rinuncia", "Request renunciation"),
    ("Chiedi al Dipartimento di decretare la rinuncia al finanziamento. Finché la richiesta è in attesa le altre azioni sul progetto sono sospese; con il decreto il progetto è rinunciato e il finanziamento non si può più recuperare.", "You ask the Department to decree the renunciation of the funding. While the request is pending the other actions on the project are suspended; with the decree the project is renounced and the funding cannot be recovered."),
    ("Conferma la richiesta di rinuncia", "Confirm the renunciation request"),
    ("Richiesta di rinuncia inviata al Dipartimento.", "Renunciation request sent to the Department."),
    ("Registri che il contributo è stato erogato: il progetto diventa liquidato e nessuna altra azione sarà più possibile.", "You record that the grant was paid: the project becomes paid and no other action will be possible."),
    ("Conferma il pagamento", "Confirm the payment"),
    ("L'ente ha chiesto di rinunciare al finanziamento", "The administration asked to renounce the funding"),
    ("Decreta la rinuncia", "Decree the renunciation"),
    ("Decreti la rinuncia: il progetto diventa rinunciato, il finanziamento è perso e l'operazione non si può annullare.", "You decree the renunciation: the project becomes renounced, the funding is lost and this cannot be undone."),
    ("Conferma il decreto di rinuncia", "Confirm the renunciation decree"),
    ("Rinuncia decretata: il progetto è rinunciato.", "Renunciation decreed: the project is renounced."),
    ("Conferma l'esito", "Confirm the outcome"),
    ("Esito positivo: il progetto diventa asseverato e l'ente potrà chiedere l'erogazione. L'esito non si può modificare.", "Positive outcome: the project becomes verified and the administration may request payment. The outcome cannot be changed."),
    ("Esito parzialmente positivo: i servizi scelti tornano al fornitore come collaudo fallito e il progetto torna in migrazione. L'esito non si può modificare.", "Partially positive outcome: the chosen services go back to the supplier as failed tests and the project goes back to migrating. The outcome cannot be changed."),
    ("Esito negativo: il progetto resta in asseverazione e il Dipartimento potrà revocare il finanziamento. L'esito non si può modificare.", "Negative outcome: the project stays under verification and the Department may revoke the funding. The outcome cannot be changed."),
    ("Rinuncia richiesta", "Renunciation requested"),
    ("Rinuncia ritirata", "Renunciation withdrawn"),
    ("Nuova richiesta dell'asseveratore", "New request from the verifier"),
    ("Richiesta dell'asseveratore riaperta", "Verifier's request reopened"),
    ("Risposta a una richiesta", "Answer to a request"),
    ("Questionari ed evidenze dei servizi", "Services' questionnaires and evidence"),
    ("Rimuovi", "Remove"),
    ("Rimuovi il servizio dal piano", "Remove the service from the plan"),
    ("Rimuovi «{}» dal piano di migrazione? Il servizio esce dal piano; la rimozione resta nella cronologia del progetto.", "Remove «{}» from the migration plan? The service leaves the plan; the removal stays in the project's history."),
    ("Conferma la rimozione", "Confirm the removal"),
    ("Servizio rimosso dal piano.", "Service removed from the plan."),
    ("Servizio rimosso dal piano", "Service removed from the plan"),
    ("Chiudi la richiesta: l'ente non potrà più rispondere né allegare documenti, salvo che tu la riapra con una nuova scadenza.", "You close the request: the administration can no longer answer or attach documents, unless you reopen it with a new due date."),
    ("Conferma la chiusura", "Confirm closing"),
    // Issue 16: supplier contracts listed and corrected with versions.
    ("Contratti con i fornitori", "Supplier contracts"),
    ("Nessun contratto registrato.", "No contract recorded."),
    ("Documento", "Document"),
    ("Versione {}", "Version {}"),
    ("corretto", "corrected"),
    ("il {}", "on {}"),
    ("Correggi il contratto {}", "Correct the contract {}"),
    ("Correggi", "Correct"),
    ("Correggi il contratto con {}", "Correct the contract with {}"),
    ("Versione letta: {}. La correzione diventa una nuova versione; la precedente resta nello storico del contratto.", "Version read: {}. The correction becomes a new version; the previous one stays in the contract's history."),
    ("Importo del contratto (euro)", "Contract amount (euros)"),
    ("Documento del contratto", "Contract document"),
    ("Motivo della correzione", "Reason for the correction"),
    ("Salva la correzione", "Save the correction"),
    ("Contratto corretto: la versione precedente resta nello storico.", "Contract corrected: the previous version stays in the history."),
    ("I tuoi contratti", "Your contracts"),
    ("CIG corretto", "Corrected CIG"),
    ("Importo corretto (euro)", "Corrected amount (euros)"),
    ("Data corretta del contratto", "Corrected contract date"),
    ("Documento corretto del contratto", "Corrected contract document"),
    // Issue 16: master data checked against today, the impact of new terms, removing documents.
    ("Il fornitore è qualificato fino al {}: l'offerta non può restare qualificata oltre quella data.", "The supplier is qualified until {}: the offering cannot stay qualified beyond that date."),
    ("Nessun progetto cambia scadenza.", "No project changes deadline."),
    ("1 progetto cambia scadenza.", "1 project changes deadline."),
    ("{} progetti cambiano scadenza.", "{} projects change deadline."),
    ("Su {} progetti dell'avviso con una scadenza in corso. Conferma per salvare i nuovi termini: le scadenze dei progetti cambiano subito.", "Out of {} projects of the call with a running deadline. Confirm to save the new terms: the projects' deadlines change at once."),
    ("Conferma e salva i termini", "Confirm and save the terms"),
    ("Rimuovi il documento {}", "Remove the document {}"),
    ("Il file «{}» viene eliminato e non si potrà recuperare; la rimozione resta nella cronologia del progetto.", "The file «{}» is deleted and cannot be recovered; the removal stays in the project's history."),
    ("Un documento si può rimuovere finché non è allegato a una risposta, non è l'evidenza di un servizio migrato e il completamento non è stato dichiarato.", "A document can be removed until it is attached to an answer, is the evidence of a migrated service or completion has been declared."),
    ("mesi", "months"),
    ("giorni", "days"),
    // Issue 13: notification preferences, webhooks, failed deliveries.
    ("Preferenze di notifica", "Notification preferences"),
    ("Scegli come ricevere ogni tipo di notifica. Gli avvisi obbligatori, che mettono a rischio il finanziamento, arrivano sempre per e-mail.", "Choose how to receive each kind of notification. Mandatory notices, which put the funding at risk, always come by e-mail."),
    ("Recapito salvato.", "Contact saved."),
    ("Preferenza salvata.", "Preference saved."),
    ("Caricamento delle preferenze…", "Loading the preferences…"),
    ("Recapito", "Contact"),
    ("Indirizzo e-mail", "E-mail address"),
    ("Lingua delle e-mail", "Language of the e-mails"),
    ("Salva il recapito", "Save the contact"),
    ("Tipi di notifica", "Kinds of notification"),
    ("Come riceverla", "How to receive it"),
    ("Obbligatoria", "Mandatory"),
    ("Promemoria: richiesta in scadenza", "Reminder: request due soon"),
    ("Promemoria: termine del contratto", "Reminder: contract deadline"),
    ("Promemoria: termine di completamento", "Reminder: completion deadline"),
    ("Promemoria: scadenze vicine", "Reminder: deadlines near"),
    ("Richiesta di rinuncia al finanziamento", "Request to renounce the funding"),
    ("Richiesta di rinuncia ritirata", "Request of renunciation withdrawn"),
    ("Rinuncia al finanziamento decretata", "Renunciation of the funding decreed"),
    ("Rinunce da decretare", "Renunciations to decree"),
    ("Richieste di rinuncia da decretare", "Requests of renunciation to decree"),
    ("Nessuna richiesta di rinuncia in attesa.", "No request of renunciation is waiting."),
    ("1 ente chiede di rinunciare al finanziamento: la rinuncia attende il decreto del Dipartimento, dalla pagina del progetto.", "1 administration asks to renounce the funding: the renunciation awaits the Department's decree, from the project's page."),
    ("{} enti chiedono di rinunciare al finanziamento: ogni rinuncia attende il decreto del Dipartimento, dalla pagina del progetto.", "{} administrations ask to renounce the funding: each renunciation awaits the Department's decree, from the project's page."),
    ("E-mail subito", "E-mail at once"),
    ("Riepilogo giornaliero", "Daily digest"),
    ("Solo in Nuvola", "In Nuvola only"),
    ("Webhook", "Webhooks"),
    ("Webhook e consegne", "Webhooks and deliveries"),
    ("Nuvola avvisa i vostri sistemi dei cambiamenti che potete vedere: ogni chiamata è firmata (HMAC-SHA256) e ripetuta finché il sistema non risponde.", "Nuvola tells your systems of the changes you may see: every call is signed (HMAC-SHA256) and repeated until your system answers."),
    ("Webhook registrato. Copia ora la chiave di firma: non sarà più mostrata.", "Webhook registered. Copy the signing key now: it will not be shown again."),
    ("Registra un webhook", "Register a webhook"),
    ("Indirizzo dell'endpoint", "Endpoint address"),
    ("Eventi", "Events"),
    ("Registra", "Register"),
    ("Caricamento dei webhook…", "Loading the webhooks…"),
    ("Nessun webhook registrato.", "No webhook registered."),
    ("Webhook {}", "Webhook {}"),
    ("Registrato il {}", "Registered on {}"),
    ("Rimuovi il webhook", "Remove the webhook"),
    ("Nessuna consegna finora.", "No deliveries yet."),
    ("Registro delle consegne", "Delivery log"),
    ("Data", "Date"),
    ("Evento", "Event"),
    ("Tentativi", "Attempts"),
    ("Ultima risposta", "Last answer"),
    ("Consegne non riuscite", "Failed deliveries"),
    ("E-mail e webhook che non sono stati consegnati dopo tutti i tentativi. Si possono inviare di nuovo.", "E-mails and webhooks not delivered after every attempt. They can be sent again."),
    ("Nessuna consegna non riuscita.", "No failed deliveries."),
    ("Destinatario", "Recipient"),
    ("Invia di nuovo", "Send again"),
    ("Cambio di stato di un progetto", "A project's state changed"),
    ("Avanzamento di un servizio", "A service's progress"),
    ("Consegnata", "Delivered"),
    ("Non riuscita", "Failed"),
    ("In corso", "In progress"),
    ("Consegna rimessa in coda: parte entro pochi secondi.", "Delivery queued again: it leaves within seconds."),
    ("Webhook rimosso.", "Webhook removed."),
    ("Scegli almeno un tipo di evento.", "Choose at least one kind of event."),
    ("Seleziona l'ente", "Choose the organisation"),
    ("Seleziona l'ente per cui operare", "Choose the organisation you act for"),
    ("Non operi ancora per alcun ente.", "You do not act for any organisation yet."),
    ("Puoi cambiare ente in ogni momento, senza accedere di nuovo.", "You can switch organisation at any time, without logging in again."),
    ("Enti per cui puoi operare", "Organisations you may act for"),
    ("Ente attuale", "Current organisation"),
    ("Opera per questo ente", "Act for this organisation"),
    ("Attendi…", "Please wait…"),
    ("Cambia ente", "Switch organisation"),
    ("Ente da scegliere", "Organisation not chosen yet"),
    // Issue 12: onboarding, members and invitations.
    ("Accetta l'invito", "Accept the invitation"),
    ("Accettato", "Accepted"),
    ("Amministrazioni", "Administrations"),
    ("Amministrazioni trovate", "Administrations found"),
    ("Approva", "Approve"),
    ("Approvando si registra un nuovo fornitore.", "Approving registers a new supplier."),
    ("Approvata", "Approved"),
    ("Caricamento dei membri…", "Loading the members…"),
    ("Caricamento dell'invito…", "Loading the invitation…"),
    ("Cerca", "Search"),
    ("Cerca l'amministrazione per nome o codice IPA", "Search the administration by name or IPA code"),
    ("Cerca persona o ente", "Search person or organisation"),
    ("Chi chiede di operare per un'amministrazione o di registrare un fornitore. Approvando, la persona opera per l'ente; la prima approvata ne diventa referente.", "Who asks to act for an administration or to register a supplier. Once approved, the person acts for the organisation; the first one approved becomes its referent."),
    ("Codice IPA dell'amministrazione", "IPA code of the administration"),
    ("Conferma il rifiuto", "Confirm the rejection"),
    ("Conferma l'approvazione", "Confirm the approval"),
    ("Dal", "Since"),
    ("Filtra", "Filter"),
    ("Fornitori", "Suppliers"),
    ("Il collega riceve per e-mail un link valido 7 giorni, utilizzabile una sola volta dopo l'accesso.", "Your colleague receives by e-mail a link valid for 7 days, usable once after logging in."),
    ("Il link dell'invito smetterà subito di funzionare.", "The invitation link will stop working at once."),
    ("In attesa", "Pending"),
    ("Invia l'invito", "Send the invitation"),
    ("Invita un collega", "Invite a colleague"),
    ("Inviti", "Invitations"),
    ("Invito", "Invitation"),
    ("Invito a operare per un ente", "Invitation to act for an organisation"),
    ("Invito accettato: ora operi per l'ente.", "Invitation accepted: you now act for the organisation."),
    ("Invito inviato per e-mail.", "Invitation sent by e-mail."),
    ("Invito revocato.", "Invitation revoked."),
    ("La partita IVA ha 11 cifre e l'ultima è una cifra di controllo: ricontrollala.", "A VAT number has 11 digits and the last one is a check digit: check it again."),
    ("La persona non opererà più per l'ente e le sue sessioni per l'ente terminano subito.", "The person will no longer act for the organisation and their sessions for it end at once."),
    ("La persona opererà per l'ente da subito e riceverà una notifica.", "The person will act for the organisation from now on and will be notified."),
    ("La richiesta sarà respinta; la persona leggerà il motivo.", "The request will be rejected; the person will read the reason."),
    ("La richiesta sarà ritirata e il Dipartimento non la esaminerà più.", "The request will be withdrawn and the department will no longer examine it."),
    ("Le tue richieste", "Your requests"),
    ("Membri", "Members"),
    ("Membri dell'ente", "Members of the organisation"),
    ("Membro rimosso.", "Member removed."),
    ("Mostra altre richieste", "Show more requests"),
    ("Motivo del rifiuto", "Reason for the rejection"),
    ("Nessun invito inviato.", "No invitation sent."),
    ("Nessuna richiesta con questi filtri.", "No request matches these filters."),
    ("Nome dell'organismo (asseveratori)", "Name of the body (verifiers)"),
    ("Non hai ancora inviato richieste.", "You have not sent any request yet."),
    ("Non operi ancora per alcun ente. Chiedi di operare per un'amministrazione o registra un fornitore: il Dipartimento esamina la richiesta e ti avvisa dell'esito.", "You do not act for any organisation yet. Ask to act for an administration or register a supplier: the department examines the request and tells you the outcome."),
    ("Nota", "Note"),
    ("Nota per il Dipartimento (facoltativa)", "Note for the department (optional)"),
    ("PEC o e-mail del fornitore (facoltativa)", "Supplier's PEC or e-mail (optional)"),
    ("Per chi vuoi operare?", "Whom do you want to act for?"),
    ("Persona", "Person"),
    ("Personale e asseveratori", "Staff and verifiers"),
    ("Questo invito non è più utilizzabile: chiedine uno nuovo al referente.", "This invitation can no longer be used: ask the referent for a new one."),
    ("Questo link di invito non è valido: controlla di averlo copiato per intero.", "This invitation link is not valid: check that you copied it whole."),
    ("Ragione sociale (se il fornitore non è ancora registrato)", "Company name (if the supplier is not registered yet)"),
    ("Referente", "Referent"),
    ("Respingi", "Reject"),
    ("Respinta", "Rejected"),
    ("Revocato", "Revoked"),
    ("Richiedi l'accesso", "Request access"),
    ("Richiesta approvata.", "Request approved."),
    ("Richiesta inviata: il Dipartimento la esaminerà.", "Request sent: the department will examine it."),
    ("Richiesta respinta.", "Request rejected."),
    ("Richieste di accesso", "Access requests"),
    ("Ritira", "Withdraw"),
    ("Ritira la richiesta", "Withdraw the request"),
    ("Ritirata", "Withdrawn"),
    ("Ruolo", "Role"),
    ("Scaduta", "Expired"),
    ("Scegli", "Choose"),
    ("Scelta", "Chosen"),
    ("Sconosciuto", "Unknown"),
    ("Scrivi almeno 2 caratteri del nome o del codice IPA.", "Type at least 2 characters of the name or of the IPA code."),
    ("Scrivi il motivo del rifiuto (almeno 5 caratteri).", "Write the reason for the rejection (at least 5 characters)."),
    ("Scegli l'amministrazione dall'elenco o scrivi il suo codice IPA.", "Choose the administration from the list or write its IPA code."),
    ("Scegli il ruolo del collega.", "Choose your colleague's role."),
    ("Scrivi la partita IVA del fornitore (11 cifre).", "Write the supplier's VAT number (11 digits)."),
    ("Scegli il ruolo", "Choose the role"),
    ("Tutte", "All"),
    ("Tutti", "All"),
    ("Un fornitore cloud", "A cloud supplier"),
    ("Un'amministrazione pubblica", "A public administration"),
    ("Valido fino al {}", "Valid until {}"),
    ("inviata il {}", "sent on {}"),
    ("scade il {}", "expires on {}"),
    ("Amministrazioni trovate: {}", "Administrations found: {}"),
    ("Richieste trovate: {}", "Requests found: {}"),
    ("Chiedi di operare per un altro ente: il Dipartimento esamina la richiesta e ti avvisa dell'esito.", "Ask to act for another organisation: the department examines the request and tells you the outcome."),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The string literals the pages pass to `t`, `tx` and `tf`, with their file.
    fn texts_in(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                texts_in(&path, out);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap_or_default();
            let bytes = src.as_bytes();
            for call in ["t(\"", "tx(\"", "tf(\""] {
                for (at, _) in src.match_indices(call) {
                    // A whole identifier: `t(` but not `list(` or `.t(`.
                    if at > 0
                        && (bytes[at - 1].is_ascii_alphanumeric()
                            || bytes[at - 1] == b'_'
                            || bytes[at - 1] == b'.')
                    {
                        continue;
                    }
                    let start = at + call.len();
                    let mut text = String::new();
                    let mut chars = src[start..].chars();
                    while let Some(c) = chars.next() {
                        match c {
                            '"' => break,
                            '\\' => match chars.next() {
                                Some('n') => text.push('\n'),
                                Some(other) => text.push(other),
                                None => break,
                            },
                            c => text.push(c),
                        }
                    }
                    out.push((path.display().to_string(), text));
                }
            }
        }
    }

    /// Every text a page shows through `t`, `tx` or `tf` has its English, so the English
    /// page never falls back to Italian for a text of the application (data, such as a
    /// body's name or a call's title, is not translated).
    #[test]
    fn every_text_of_the_pages_has_its_english() {
        let mut texts = Vec::new();
        texts_in(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut texts,
        );
        assert!(
            texts.len() > 300,
            "the scan found only {} texts",
            texts.len()
        );
        // The same in both languages.
        let same = ["CUP", "CIG"];
        let missing: Vec<String> = texts
            .iter()
            .filter(|(_, it)| !same.contains(&it.as_str()) && english(it).is_none())
            .map(|(file, it)| format!("{file}: {it:?}"))
            .collect();
        assert!(
            missing.is_empty(),
            "texts without English:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn every_italian_key_appears_once() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        for pair in keys.windows(2) {
            assert_ne!(pair[0], pair[1], "duplicate key");
        }
    }
}
