//! The Nuvola web application: a client-side Leptos app that talks only to the
//! GraphQL API of the server that serves it.
//!
//! Routes live in [`app::App`]; every page is a module of [`pages`]. The domain rules
//! (regions, administration types, states, the rules of a plan line) come from
//! `nuvola-shared`, the same crate the server validates with, so a form the browser
//! accepts is one the server accepts.

mod api;
mod app;
mod format;
mod i18n;
mod layout;
mod live;
mod pages;
mod session;
mod upload;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
