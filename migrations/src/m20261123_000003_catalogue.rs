//! The catalogue of services an administration can plan to migrate, by type of body:
//! schools choose among 32 candidates, comuni among 95, health agencies among 24.
//! Reference data: codes are stable, names are what people read.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogueService {
    Table,
    TargetType,
    Code,
    Name,
}

/// (type of body, code, name).
const SERVICES: &[(&str, &str, &str)] = &[
    (
        "SCUOLA",
        "SC_SITO_WEB_ISTITUZIONALE",
        "Sito web istituzionale",
    ),
    ("SCUOLA", "SC_REGISTRO_ELETTRONICO", "Registro elettronico"),
    ("SCUOLA", "SC_SEGRETERIA_DIGITALE", "Segreteria digitale"),
    (
        "SCUOLA",
        "SC_PROTOCOLLO_INFORMATICO_E_GESTIONE_DOCUMENTALE",
        "Protocollo informatico e gestione documentale",
    ),
    ("SCUOLA", "SC_ALBO_ONLINE", "Albo online"),
    (
        "SCUOLA",
        "SC_AMMINISTRAZIONE_TRASPARENTE",
        "Amministrazione trasparente",
    ),
    ("SCUOLA", "SC_GESTIONE_ALUNNI", "Gestione alunni"),
    (
        "SCUOLA",
        "SC_GESTIONE_DEL_PERSONALE",
        "Gestione del personale",
    ),
    (
        "SCUOLA",
        "SC_CONTABILITA_E_BILANCIO",
        "Contabilità e bilancio",
    ),
    (
        "SCUOLA",
        "SC_INVENTARIO_E_MAGAZZINO",
        "Inventario e magazzino",
    ),
    ("SCUOLA", "SC_POSTA_ELETTRONICA", "Posta elettronica"),
    (
        "SCUOLA",
        "SC_PIATTAFORMA_PER_LA_DIDATTICA_DIGITALE",
        "Piattaforma per la didattica digitale",
    ),
    ("SCUOLA", "SC_BIBLIOTECA_DIGITALE", "Biblioteca digitale"),
    ("SCUOLA", "SC_PAGAMENTI_PAGOPA", "Pagamenti pagoPA"),
    (
        "SCUOLA",
        "SC_RILEVAZIONE_PRESENZE_DEL_PERSONALE",
        "Rilevazione presenze del personale",
    ),
    (
        "SCUOLA",
        "SC_COLLOQUI_CON_LE_FAMIGLIE",
        "Colloqui con le famiglie",
    ),
    ("SCUOLA", "SC_ISCRIZIONI_ONLINE", "Iscrizioni online"),
    ("SCUOLA", "SC_ORARIO_SCOLASTICO", "Orario scolastico"),
    (
        "SCUOLA",
        "SC_GESTIONE_PROGETTI_PNRR_E_PON",
        "Gestione progetti PNRR e PON",
    ),
    (
        "SCUOLA",
        "SC_CONSERVAZIONE_DIGITALE",
        "Conservazione digitale",
    ),
    (
        "SCUOLA",
        "SC_BACKUP_E_DISASTER_RECOVERY",
        "Backup e disaster recovery",
    ),
    ("SCUOLA", "SC_VIDEOCONFERENZA", "Videoconferenza"),
    ("SCUOLA", "SC_ACQUISTI_E_MEPA", "Acquisti e MePA"),
    (
        "SCUOLA",
        "SC_STIPENDI_E_COMPENSI_ACCESSORI",
        "Stipendi e compensi accessori",
    ),
    ("SCUOLA", "SC_VIAGGI_DI_ISTRUZIONE", "Viaggi di istruzione"),
    ("SCUOLA", "SC_MODULISTICA_ONLINE", "Modulistica online"),
    (
        "SCUOLA",
        "SC_SPORTELLO_DIGITALE_PER_LE_FAMIGLIE",
        "Sportello digitale per le famiglie",
    ),
    ("SCUOLA", "SC_ESAMI_DI_STATO", "Esami di Stato"),
    ("SCUOLA", "SC_LIBRI_DI_TESTO", "Libri di testo"),
    ("SCUOLA", "SC_SICUREZZA_SUL_LAVORO", "Sicurezza sul lavoro"),
    (
        "SCUOLA",
        "SC_PRIVACY_E_REGISTRO_DEI_TRATTAMENTI",
        "Privacy e registro dei trattamenti",
    ),
    ("SCUOLA", "SC_HELPDESK_INFORMATICO", "Helpdesk informatico"),
    ("COMUNE", "CO_ANAGRAFE_ANPR", "Anagrafe (ANPR)"),
    ("COMUNE", "CO_STATO_CIVILE", "Stato civile"),
    ("COMUNE", "CO_SERVIZI_ELETTORALI", "Servizi elettorali"),
    (
        "COMUNE",
        "CO_PROTOCOLLO_INFORMATICO",
        "Protocollo informatico",
    ),
    ("COMUNE", "CO_ALBO_PRETORIO_ONLINE", "Albo pretorio online"),
    (
        "COMUNE",
        "CO_AMMINISTRAZIONE_TRASPARENTE",
        "Amministrazione trasparente",
    ),
    ("COMUNE", "CO_TRIBUTI_IMU_TARI", "Tributi (IMU, TARI)"),
    (
        "COMUNE",
        "CO_CONTABILITA_FINANZIARIA",
        "Contabilità finanziaria",
    ),
    (
        "COMUNE",
        "CO_GESTIONE_DEL_PERSONALE",
        "Gestione del personale",
    ),
    ("COMUNE", "CO_PAGHE_E_STIPENDI", "Paghe e stipendi"),
    ("COMUNE", "CO_RILEVAZIONE_PRESENZE", "Rilevazione presenze"),
    (
        "COMUNE",
        "CO_ATTI_AMMINISTRATIVI_DELIBERE_E_DETERMINE",
        "Atti amministrativi (delibere e determine)",
    ),
    ("COMUNE", "CO_CONTRATTI", "Contratti"),
    ("COMUNE", "CO_GARE_E_APPALTI", "Gare e appalti"),
    (
        "COMUNE",
        "CO_SPORTELLO_UNICO_PER_L_EDILIZIA_SUE",
        "Sportello unico per l'edilizia (SUE)",
    ),
    (
        "COMUNE",
        "CO_SPORTELLO_UNICO_ATTIVITA_PRODUTTIVE_SUAP",
        "Sportello unico attività produttive (SUAP)",
    ),
    (
        "COMUNE",
        "CO_POLIZIA_LOCALE_E_SANZIONI",
        "Polizia locale e sanzioni",
    ),
    ("COMUNE", "CO_SERVIZI_SOCIALI", "Servizi sociali"),
    (
        "COMUNE",
        "CO_MENSA_E_TRASPORTO_SCOLASTICO",
        "Mensa e trasporto scolastico",
    ),
    ("COMUNE", "CO_BIBLIOTECA", "Biblioteca"),
    ("COMUNE", "CO_SERVIZI_CIMITERIALI", "Servizi cimiteriali"),
    (
        "COMUNE",
        "CO_PATRIMONIO_E_INVENTARIO",
        "Patrimonio e inventario",
    ),
    ("COMUNE", "CO_ECONOMATO", "Economato"),
    (
        "COMUNE",
        "CO_NOTIFICHE_E_MESSI_COMUNALI",
        "Notifiche e messi comunali",
    ),
    ("COMUNE", "CO_PROTEZIONE_CIVILE", "Protezione civile"),
    (
        "COMUNE",
        "CO_URBANISTICA_E_SISTEMA_INFORMATIVO_TERRITORIALE",
        "Urbanistica e sistema informativo territoriale",
    ),
    ("COMUNE", "CO_CATASTO", "Catasto"),
    ("COMUNE", "CO_LAVORI_PUBBLICI", "Lavori pubblici"),
    (
        "COMUNE",
        "CO_SITO_WEB_ISTITUZIONALE",
        "Sito web istituzionale",
    ),
    ("COMUNE", "CO_POSTA_ELETTRONICA", "Posta elettronica"),
    (
        "COMUNE",
        "CO_POSTA_ELETTRONICA_CERTIFICATA",
        "Posta elettronica certificata",
    ),
    (
        "COMUNE",
        "CO_CONSERVAZIONE_DIGITALE",
        "Conservazione digitale",
    ),
    ("COMUNE", "CO_PAGAMENTI_PAGOPA", "Pagamenti pagoPA"),
    ("COMUNE", "CO_SERVIZI_SU_APP_IO", "Servizi su app IO"),
    (
        "COMUNE",
        "CO_SEGNALAZIONI_DEI_CITTADINI",
        "Segnalazioni dei cittadini",
    ),
    (
        "COMUNE",
        "CO_PRENOTAZIONE_APPUNTAMENTI",
        "Prenotazione appuntamenti",
    ),
    ("COMUNE", "CO_GESTIONE_DOCUMENTALE", "Gestione documentale"),
    (
        "COMUNE",
        "CO_COMMERCIO_E_ATTIVITA_PRODUTTIVE",
        "Commercio e attività produttive",
    ),
    ("COMUNE", "CO_AMBIENTE_E_RIFIUTI", "Ambiente e rifiuti"),
    ("COMUNE", "CO_SERVIZIO_IDRICO", "Servizio idrico"),
    (
        "COMUNE",
        "CO_ILLUMINAZIONE_PUBBLICA",
        "Illuminazione pubblica",
    ),
    ("COMUNE", "CO_MANUTENZIONI", "Manutenzioni"),
    ("COMUNE", "CO_IMPIANTI_SPORTIVI", "Impianti sportivi"),
    ("COMUNE", "CO_CULTURA_ED_EVENTI", "Cultura ed eventi"),
    ("COMUNE", "CO_TURISMO", "Turismo"),
    (
        "COMUNE",
        "CO_PRENOTAZIONE_SALE_E_SPAZI",
        "Prenotazione sale e spazi",
    ),
    ("COMUNE", "CO_ASILI_NIDO", "Asili nido"),
    (
        "COMUNE",
        "CO_TRASPORTO_PUBBLICO_LOCALE",
        "Trasporto pubblico locale",
    ),
    (
        "COMUNE",
        "CO_PARCHEGGI_E_PERMESSI_ZTL",
        "Parcheggi e permessi ZTL",
    ),
    (
        "COMUNE",
        "CO_CANONE_UNICO_PATRIMONIALE",
        "Canone unico patrimoniale",
    ),
    (
        "COMUNE",
        "CO_PUBBLICITA_E_AFFISSIONI",
        "Pubblicità e affissioni",
    ),
    (
        "COMUNE",
        "CO_CONCESSIONI_DEMANIALI",
        "Concessioni demaniali",
    ),
    ("COMUNE", "CO_ACCESSO_CIVICO", "Accesso civico"),
    (
        "COMUNE",
        "CO_UFFICIO_RELAZIONI_CON_IL_PUBBLICO",
        "Ufficio relazioni con il pubblico",
    ),
    ("COMUNE", "CO_STATISTICA", "Statistica"),
    ("COMUNE", "CO_LEVA_MILITARE", "Leva militare"),
    (
        "COMUNE",
        "CO_ALBO_DEI_GIUDICI_POPOLARI",
        "Albo dei giudici popolari",
    ),
    (
        "COMUNE",
        "CO_TOPONOMASTICA_E_NUMERAZIONE_CIVICA",
        "Toponomastica e numerazione civica",
    ),
    (
        "COMUNE",
        "CO_AUTORIZZAZIONI_PAESAGGISTICHE",
        "Autorizzazioni paesaggistiche",
    ),
    (
        "COMUNE",
        "CO_CONTROLLO_DI_GESTIONE",
        "Controllo di gestione",
    ),
    (
        "COMUNE",
        "CO_ORGANI_ISTITUZIONALI_E_SEDUTE",
        "Organi istituzionali e sedute",
    ),
    (
        "COMUNE",
        "CO_DIRETTA_DEL_CONSIGLIO_COMUNALE",
        "Diretta del consiglio comunale",
    ),
    (
        "COMUNE",
        "CO_CUSTOMER_SATISFACTION",
        "Customer satisfaction",
    ),
    (
        "COMUNE",
        "CO_BACKUP_E_DISASTER_RECOVERY",
        "Backup e disaster recovery",
    ),
    ("COMUNE", "CO_VIDEOSORVEGLIANZA", "Videosorveglianza"),
    ("COMUNE", "CO_WI_FI_PUBBLICO", "Wi-Fi pubblico"),
    ("COMUNE", "CO_OPEN_DATA", "Open data"),
    ("COMUNE", "CO_HELPDESK_INTERNO", "Helpdesk interno"),
    ("COMUNE", "CO_FIRMA_DIGITALE", "Firma digitale"),
    (
        "COMUNE",
        "CO_ACCESSO_CON_SPID_E_CIE",
        "Accesso con SPID e CIE",
    ),
    (
        "COMUNE",
        "CO_FASCICOLO_DEL_CITTADINO",
        "Fascicolo del cittadino",
    ),
    (
        "COMUNE",
        "CO_CERTIFICATI_ANAGRAFICI_ONLINE",
        "Certificati anagrafici online",
    ),
    (
        "COMUNE",
        "CO_CARTA_D_IDENTITA_ELETTRONICA",
        "Carta d'identità elettronica",
    ),
    (
        "COMUNE",
        "CO_PRATICHE_EDILIZIE_ONLINE",
        "Pratiche edilizie online",
    ),
    (
        "COMUNE",
        "CO_SERVIZI_CIMITERIALI_ONLINE",
        "Servizi cimiteriali online",
    ),
    (
        "COMUNE",
        "CO_ISCRIZIONE_AI_SERVIZI_SCOLASTICI",
        "Iscrizione ai servizi scolastici",
    ),
    (
        "COMUNE",
        "CO_CONTRIBUTI_E_BANDI_AI_CITTADINI",
        "Contributi e bandi ai cittadini",
    ),
    (
        "COMUNE",
        "CO_GESTIONE_DEL_VERDE_PUBBLICO",
        "Gestione del verde pubblico",
    ),
    (
        "COMUNE",
        "CO_RANDAGISMO_E_ANAGRAFE_CANINA",
        "Randagismo e anagrafe canina",
    ),
    ("COMUNE", "CO_PASSI_CARRABILI", "Passi carrabili"),
    ("COMUNE", "CO_TRASPORTO_DISABILI", "Trasporto disabili"),
    (
        "COMUNE",
        "CO_EDILIZIA_RESIDENZIALE_PUBBLICA",
        "Edilizia residenziale pubblica",
    ),
    ("COMUNE", "CO_ASSEGNAZIONE_ALLOGGI", "Assegnazione alloggi"),
    ("COMUNE", "CO_SPORTELLO_LAVORO", "Sportello lavoro"),
    ("COMUNE", "CO_POLITICHE_GIOVANILI", "Politiche giovanili"),
    ("COMUNE", "CO_PARI_OPPORTUNITA", "Pari opportunità"),
    (
        "COMUNE",
        "CO_GEMELLAGGI_E_RELAZIONI_INTERNAZIONALI",
        "Gemellaggi e relazioni internazionali",
    ),
    ("COMUNE", "CO_INFORMAGIOVANI", "Informagiovani"),
    (
        "COMUNE",
        "CO_GESTIONE_DEL_CONTENZIOSO",
        "Gestione del contenzioso",
    ),
    ("COMUNE", "CO_UFFICIO_LEGALE", "Ufficio legale"),
    (
        "COMUNE",
        "CO_GESTIONE_DELLE_ASSICURAZIONI",
        "Gestione delle assicurazioni",
    ),
    (
        "COMUNE",
        "CO_GESTIONE_DEI_SINISTRI",
        "Gestione dei sinistri",
    ),
    ("COMUNE", "CO_RENDICONTAZIONE_PNRR", "Rendicontazione PNRR"),
    ("COMUNE", "CO_PIANO_TRIENNALE_ICT", "Piano triennale ICT"),
    (
        "COMUNE",
        "CO_REGISTRO_DEI_TRATTAMENTI_PRIVACY",
        "Registro dei trattamenti privacy",
    ),
    (
        "ASL_AO",
        "SA_CENTRO_UNICO_DI_PRENOTAZIONE_CUP",
        "Centro unico di prenotazione (CUP)",
    ),
    (
        "ASL_AO",
        "SA_ANAGRAFE_DEGLI_ASSISTITI",
        "Anagrafe degli assistiti",
    ),
    (
        "ASL_AO",
        "SA_FASCICOLO_SANITARIO_ELETTRONICO",
        "Fascicolo sanitario elettronico",
    ),
    (
        "ASL_AO",
        "SA_CARTELLA_CLINICA_ELETTRONICA",
        "Cartella clinica elettronica",
    ),
    (
        "ASL_AO",
        "SA_LABORATORIO_ANALISI_LIS",
        "Laboratorio analisi (LIS)",
    ),
    ("ASL_AO", "SA_RADIOLOGIA_RIS_PACS", "Radiologia (RIS/PACS)"),
    ("ASL_AO", "SA_PRONTO_SOCCORSO", "Pronto soccorso"),
    (
        "ASL_AO",
        "SA_ACCETTAZIONE_DIMISSIONE_E_TRASFERIMENTO_ADT",
        "Accettazione, dimissione e trasferimento (ADT)",
    ),
    ("ASL_AO", "SA_FARMACIA_OSPEDALIERA", "Farmacia ospedaliera"),
    ("ASL_AO", "SA_CONTABILITA", "Contabilità"),
    (
        "ASL_AO",
        "SA_GESTIONE_DEL_PERSONALE",
        "Gestione del personale",
    ),
    (
        "ASL_AO",
        "SA_PROTOCOLLO_INFORMATICO",
        "Protocollo informatico",
    ),
    ("ASL_AO", "SA_SCREENING_ONCOLOGICI", "Screening oncologici"),
    ("ASL_AO", "SA_SANITA_VETERINARIA", "Sanità veterinaria"),
    (
        "ASL_AO",
        "SA_PREVENZIONE_E_IGIENE_PUBBLICA",
        "Prevenzione e igiene pubblica",
    ),
    ("ASL_AO", "SA_MEDICINA_LEGALE", "Medicina legale"),
    ("ASL_AO", "SA_TELEMEDICINA", "Telemedicina"),
    (
        "ASL_AO",
        "SA_SITO_WEB_ISTITUZIONALE",
        "Sito web istituzionale",
    ),
    ("ASL_AO", "SA_POSTA_ELETTRONICA", "Posta elettronica"),
    (
        "ASL_AO",
        "SA_CONSERVAZIONE_DIGITALE",
        "Conservazione digitale",
    ),
    (
        "ASL_AO",
        "SA_BACKUP_E_DISASTER_RECOVERY",
        "Backup e disaster recovery",
    ),
    ("ASL_AO", "SA_SALE_OPERATORIE", "Sale operatorie"),
    ("ASL_AO", "SA_ANATOMIA_PATOLOGICA", "Anatomia patologica"),
    (
        "ASL_AO",
        "SA_ASSISTENZA_DOMICILIARE_INTEGRATA",
        "Assistenza domiciliare integrata",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert.into_table(CatalogueService::Table).columns([
            CatalogueService::TargetType,
            CatalogueService::Code,
            CatalogueService::Name,
        ]);
        for (target, code, name) in SERVICES {
            insert
                .values([(*target).into(), (*code).into(), (*name).into()])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(CatalogueService::Table)
                    .to_owned(),
            )
            .await
    }
}
