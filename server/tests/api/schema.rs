//! The schema SDL is checked in (server/schema.graphql): third parties read it, and a
//! change to it must be deliberate.

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");

#[test]
fn the_checked_in_schema_matches_the_code() {
    let sdl = nuvola_server::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(PATH, &sdl).unwrap();
    }
    let checked_in = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        checked_in == sdl,
        "the GraphQL schema changed. If that is intended, run `UPDATE_SCHEMA=1 cargo test -p nuvola-server --test api schema` and commit server/schema.graphql"
    );
}

#[test]
fn the_contract_names_are_in_the_schema() {
    let sdl = nuvola_server::graphql::sdl();
    for needle in [
        "applications(first: Int, after: String, filter: ApplicationFilter): ApplicationConnection!",
        "application(cup: String!",
        "administration(ipaCode: String!): Administration",
        "stats(filter: ApplicationFilter): Stats!",
        "input ApplicationFilter",
        "totalCount: Int!",
        "edges: [ApplicationEdge!]!",
        "pageInfo: PageInfo!",
        "fundedOn: Date",
        "amountEur: Int!",
        "amountEur: Float!",
        "UNDER_VERIFICATION",
        "PAYMENT_REQUESTED",
        "scalar Date",
    ] {
        assert!(sdl.contains(needle), "missing {needle:?} in\n{sdl}");
    }
}
