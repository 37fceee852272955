// The canned-query pages: sort the answer table by a column header, and draw the chart of a
// query with a `chart:` header field (Chart.js, vendored). The page works without this script:
// the server renders the form, the table, the downloads and the paging.
(function () {
  "use strict";

  const PALETTE = ["#0b5cad", "#e07b00", "#2e8540", "#b42318", "#6941c6", "#52606d"];

  function sortKey(cell, numeric) {
    const text = cell.textContent.trim();
    if (text === "") return null;
    return numeric ? Number(text) : text;
  }

  function compare(a, b, numeric) {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1; // empty cells last
    if (numeric) return a - b;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortBy(table, header) {
    const index = Array.from(header.parentNode.children).indexOf(header);
    const numeric = header.dataset.type === "number";
    const direction = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    const sign = direction === "ascending" ? 1 : -1;
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).map((row, position) => ({ row, position, key: sortKey(row.cells[index], numeric) }));
    rows.sort((x, y) => {
      const order = x.key === null || y.key === null ? compare(x.key, y.key, numeric) : sign * compare(x.key, y.key, numeric);
      return order || x.position - y.position;
    });
    for (const { row } of rows) body.append(row);
    for (const other of table.tHead.rows[0].cells) other.setAttribute("aria-sort", "none");
    header.setAttribute("aria-sort", direction);
  }

  function makeSortable(table) {
    for (const header of table.tHead.rows[0].cells) {
      const button = document.createElement("button");
      button.type = "button";
      button.title = "Sort by " + header.textContent.trim();
      button.append(...header.childNodes);
      header.append(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", () => sortBy(table, header));
    }
  }

  function drawChart(canvas, spec) {
    const horizontal = spec.kind === "hbar";
    const box = canvas.parentNode;
    if (horizontal) box.style.height = Math.max(240, 80 + spec.labels.length * 30) + "px";
    const valueAxis = horizontal ? "x" : "y";
    const labelAxis = horizontal ? "y" : "x";
    const datasets = spec.series.map((series, i) => ({
      label: series.label,
      data: series.data,
      backgroundColor: PALETTE[i % PALETTE.length],
      borderColor: PALETTE[i % PALETTE.length],
    }));
    canvas.setAttribute("aria-label", spec.title);
    return new window.Chart(canvas, {
      type: spec.kind === "line" ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          title: { display: true, text: spec.title, font: { size: 15 } },
          legend: { display: datasets.length > 1 },
        },
        scales: {
          [valueAxis]: { beginAtZero: true, title: { display: true, text: spec.series.map((s) => s.label).join(", ") } },
          [labelAxis]: { title: { display: true, text: spec.x_label } },
        },
      },
    });
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  const data = document.getElementById("chart-data");
  const canvas = document.getElementById("chart");
  if (data && canvas && window.Chart) {
    window.skillsgapChart = drawChart(canvas, JSON.parse(data.textContent));
    canvas.dataset.drawn = "true"; // drawn synchronously (no animation): tests wait for this
  }
})();
