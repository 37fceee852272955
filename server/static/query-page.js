// The query page: YASGUI (vendored) on this server's /sparql, the model's prefixes, the
// packaged example queries and download links. Everything it needs comes from the page's
// #skillsgap-config JSON, which the server fills in.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("skillsgap-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
  // Autocompleters that need no network: "property" and "class" ask an outside service.
  const OFFLINE_COMPLETERS = ["variables", "prefixes"];
  const GRAPH_QUERIES = ["CONSTRUCT", "DESCRIBE"];

  function prefixDeclarations(prefixes) {
    return Object.entries(prefixes)
      .map(([prefix, iri]) => `PREFIX ${prefix}: <${iri}>`)
      .join("\n");
  }

  function keepOfflineCompleters() {
    // Yasgui merges arrays by index, so the defaults are trimmed instead of overridden.
    const defaults = Yasgui.Yasqe.defaults;
    defaults.autocompleters = defaults.autocompleters.filter((n) => OFFLINE_COMPLETERS.includes(n));
  }

  function createYasgui(element) {
    keepOfflineCompleters();
    return new Yasgui(element, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
      corsProxy: undefined,
      yasqe: {
        value: prefixDeclarations(config.prefixes) + "\n\n" + config.starter,
        collapsePrefixesOnLoad: true,
        prefixCcApi: null,
        editorHeight: "320px",
      },
      yasr: { prefixes: config.prefixes },
    });
  }

  function pinEndpoint(yasgui) {
    // Tabs restored from an earlier visit may name another host's endpoint.
    for (const id of yasgui.persistentConfig.getTabs()) {
      const tab = yasgui.getTab(id);
      if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
    }
  }

  function openExample(yasgui, example) {
    const tab = yasgui.addTab(
      true,
      { name: example.title, yasqe: { value: example.query }, requestConfig: { endpoint: endpoint } },
      { avoidDuplicateTabs: true },
    );
    const current = yasgui.getTab();
    if (current) current.query().catch(() => {});
    return tab;
  }

  function renderExamples(yasgui, list) {
    for (const example of config.examples) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      button.dataset.slug = example.slug;
      button.textContent = example.title;
      button.addEventListener("click", () => openExample(yasgui, example));
      const about = document.createElement("p");
      about.textContent = example.description;
      item.append(button, about);
      list.append(item);
    }
  }

  function currentQuery(yasgui) {
    const tab = yasgui.getTab();
    const yasqe = tab && tab.getYasqe();
    if (!yasqe) return { text: "", type: "SELECT" };
    return { text: yasqe.getValue(), type: yasqe.getQueryType() || "SELECT" };
  }

  function updateDownloads(yasgui, bar) {
    const query = currentQuery(yasgui);
    const kind = GRAPH_QUERIES.includes(query.type) ? "graph" : "solutions";
    for (const group of bar.querySelectorAll(".formats")) {
      group.hidden = group.dataset.kind !== kind;
    }
    for (const link of bar.querySelectorAll("a[data-format]")) {
      const params = new URLSearchParams({ query: query.text, format: link.dataset.format });
      link.href = `${config.endpoint}?${params}`;
    }
  }

  function wireDownloads(yasgui, bar) {
    const update = () => updateDownloads(yasgui, bar);
    // Recomputed just before use, so the links always carry the editor's current text.
    for (const event of ["pointerenter", "focusin", "click"]) {
      bar.addEventListener(event, update, true);
    }
    for (const event of ["tabSelect", "tabChange", "tabAdd", "query"]) {
      yasgui.on(event, update);
    }
    update();
  }

  function main() {
    const yasgui = createYasgui(document.getElementById("yasgui"));
    pinEndpoint(yasgui);
    renderExamples(yasgui, document.getElementById("example-list"));
    wireDownloads(yasgui, document.getElementById("downloads"));
    window.skillsgapYasgui = yasgui;
  }

  main();
})();
