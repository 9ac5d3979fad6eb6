// FlareFlow's local stand-in for the Monaco editor, which the FCL dev wallet's approve screen
// loads from a public CDN (cdn.jsdelivr.net) only to colour the Cadence code it shows. This
// machine's stack makes no request outside the machine, so the toolchain serves this file in its
// place: the code is shown as plain, escaped text and nothing is fetched.
(function () {
  "use strict";
  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function noop() {}
  var monaco = {
    languages: { register: noop, setMonarchTokensProvider: noop, setLanguageConfiguration: noop, getLanguages: function () { return []; } },
    editor: {
      colorize: function (text) { return Promise.resolve(escapeHtml(text).split("\n").join("<br/>")); },
      defineTheme: noop,
      setTheme: noop,
    },
  };
  // The AMD entry @monaco-editor/loader calls after this script loads: require(["vs/editor/editor.main"], cb).
  function amdRequire(deps, onLoad) {
    if (typeof onLoad === "function") onLoad({ m: monaco });
  }
  amdRequire.config = noop;
  window.require = amdRequire;
  window.monaco = monaco;
})();
