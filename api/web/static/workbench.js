// tradekg workbench: SPARQL syntax highlighting under the textarea, and Ctrl+Enter to run.
// The page works without this script (the form posts to the server, which draws the table).
"use strict";
(function () {
  const area = document.getElementById("query");
  const code = document.getElementById("highlight");
  if (!area || !code) return;
  const KEYWORDS = /^(SELECT|CONSTRUCT|DESCRIBE|ASK|WHERE|FROM|NAMED|PREFIX|BASE|OPTIONAL|UNION|MINUS|FILTER|BIND|VALUES|GRAPH|SERVICE|GROUP|BY|ORDER|ASC|DESC|HAVING|LIMIT|OFFSET|DISTINCT|REDUCED|AS|NOT|EXISTS|IN|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|STR|LANG|DATATYPE|BOUND|IF|COALESCE|CONTAINS|STRSTARTS|STRENDS|REGEX|LCASE|UCASE|YEAR|NOW|UNDEF|a|true|false)$/i;
  const TOKEN = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z0-9_]+)|([A-Za-z][\w-]*:[\w\-./#]*)|([A-Za-z_]+)|([^#"'<?$A-Za-z]+|.)/g;
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  function paint() {
    let html = "";
    for (const m of area.value.matchAll(TOKEN)) {
      const [text, comment, string, iri, variable, pname, word] = m;
      const cls = comment ? "c" : string ? "s" : iri ? "i" : variable ? "v" : pname ? "p"
        : word && KEYWORDS.test(word) ? "k" : "";
      html += cls ? `<span class="${cls}">${escape(text)}</span>` : escape(text);
    }
    code.innerHTML = html + "\n";
  }
  function sync() { code.parentElement.scrollTop = area.scrollTop; code.parentElement.scrollLeft = area.scrollLeft; }
  area.addEventListener("input", paint);
  area.addEventListener("scroll", sync);
  area.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); document.getElementById("run").click(); }
  });
  document.body.classList.add("highlighting");
  paint();
})();
