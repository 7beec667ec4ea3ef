//! Static pages: accessibility statement, legal notes, page not found.

use leptos::prelude::*;

#[component]
pub fn AccessibilityStatement() -> impl IntoView {
    view! {
        <div class="container my-5">
            <h1>"Dichiarazione di accessibilità"</h1>
            <p class="lead">
                "Nuvola si impegna a rendere il proprio servizio accessibile, conformemente alla legge 9 gennaio 2004, n. 4 e alle Linee guida AgID sull'accessibilità degli strumenti informatici."
            </p>
            <h2 class="h4 mt-4">"Stato di conformità"</h2>
            <p>
                "Il servizio è progettato per essere conforme al livello AA delle WCAG 2.1 (norma UNI CEI EN 301549). Ogni pagina è verificata automaticamente con axe-core nei test del progetto, che non ammettono violazioni gravi o critiche."
            </p>
            <h2 class="h4 mt-4">"Meccanismo di feedback"</h2>
            <p>
                "Se incontri un ostacolo all'uso del servizio, "
                <a href="https://github.com/nuvola-pa/nuvola/issues">"segnalacelo"</a>
                ": indica la pagina e il problema riscontrato."
            </p>
        </div>
    }
}

#[component]
pub fn LegalNotes() -> impl IntoView {
    view! {
        <div class="container my-5">
            <h1>"Note legali e fonti dei dati"</h1>
            <h2 class="h4 mt-4">"Dati aperti"</h2>
            <p>
                "I dati sulle candidature finanziate e sugli avvisi provengono da PA digitale 2026 (padigitale2026.gov.it), pubblicati dal Dipartimento per la trasformazione digitale con licenza "
                <a href="https://creativecommons.org/licenses/by/4.0/deed.it" rel="license">
                    "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)"
                </a> "."
            </p>
            <h2 class="h4 mt-4">"Software"</h2>
            <p>"Nuvola è software libero, rilasciato con licenza EUPL 1.2."</p>
            <p>
                "Lo stile grafico è quello di Bootstrap Italia (licenza BSD 3-Clause); il carattere Titillium Web è distribuito con licenza SIL Open Font License 1.1."
            </p>
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <div class="container my-5">
            <h1>"Pagina non trovata"</h1>
            <p class="lead">"L'indirizzo che hai seguito non corrisponde a nessuna pagina di Nuvola."</p>
            <a class="btn btn-primary" href="/">"Torna ai dati aperti"</a>
        </div>
    }
}
