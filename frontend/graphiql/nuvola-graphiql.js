// Starts GraphiQL against this server's POST /graphql (same origin: the browser's
// session cookie, if any, goes with it). A file of its own, not an inline script, so
// that the page's Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  var fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  var example =
    "# The public projects of a region, a page at a time (Relay cursors).\n" +
    "# Without a token you see what PUBLIC sees: the open data.\n" +
    "query Projects($after: String) {\n" +
    "  applications(first: 5, after: $after, filter: { region: \"Liguria\", state: FUNDED }) {\n" +
    "    totalCount\n" +
    "    edges { node { cup amountEur state openDataState administration { name kind } call { title } } }\n" +
    "    pageInfo { hasNextPage endCursor }\n" +
    "  }\n" +
    "}\n";
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: example,
      defaultEditorToolsVisibility: true,
    })
  );
})();
