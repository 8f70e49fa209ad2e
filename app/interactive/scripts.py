"""The pages the runtime server writes around interactive content.

SCORM content looks for its API object in the windows above it (``window.parent``...), so
the launch page defines ``window.API`` (SCORM 1.2) and ``window.API_1484_11`` (SCORM 2004)
and shows the SCO in a full-size frame. The API keeps the run-time data in memory, as SCORM
calls are synchronous, and sends it to the server on ``Commit``/``LMSCommit``, when the
content reports a status, and on ``Finish``/``Terminate`` (a synchronous request, so the
data is saved before the page goes away). H5P content is played by the bundled H5P player,
whose xAPI statements carry the score and completion.
"""

from __future__ import annotations

import html
import json
from typing import Any

SCORM_API_JS = r"""
(function () {
  "use strict";
  var BASE = __BASE__;
  var state = __STATE__;
  var version = state.version;
  var data = state.data || {};
  var initialized = false, finished = false, lastError = "0", dirty = false;
  var ERRORS = {"0": "No error", "101": "General exception", "201": "Invalid argument error",
    "301": "Not initialized", "401": "Not implemented error",
    "403": "Element is read only", "404": "Element is write only",
    "103": "Already initialized", "104": "Content instance terminated",
    "112": "Termination before initialization", "113": "Termination after termination",
    "122": "Retrieve data before initialization", "132": "Store data before initialization",
    "142": "Commit before initialization", "351": "General set failure",
    "405": "Incorrect data type"};
  function send(finish, sync) {
    var body = JSON.stringify({version: version, data: data, finished: !!finish});
    if (sync === "beacon" && navigator.sendBeacon) {
      navigator.sendBeacon(BASE + "api/commit", body);
      return true;
    }
    try {
      var request = new XMLHttpRequest();
      request.open("POST", BASE + "api/commit", !sync);
      request.setRequestHeader("Content-Type", "application/json");
      request.send(body);
      return !sync || request.status === 200;
    } catch (e) {
      return false;
    }
  }
  function count(prefix) {
    var highest = -1;
    Object.keys(data).forEach(function (key) {
      if (key.indexOf(prefix) === 0) {
        var n = parseInt(key.substring(prefix.length), 10);
        if (!isNaN(n) && n > highest) { highest = n; }
      }
    });
    return String(highest + 1);
  }
  var STATUS = {"cmi.core.lesson_status": 1, "cmi.completion_status": 1,
    "cmi.success_status": 1, "cmi.core.score.raw": 1, "cmi.score.raw": 1,
    "cmi.score.scaled": 1};
  function initialize(arg) {
    if (finished) { lastError = version === "2004" ? "104" : "101"; return "false"; }
    if (initialized) { lastError = version === "2004" ? "103" : "101"; return "false"; }
    initialized = true; lastError = "0";
    return "true";
  }
  function terminate(arg) {
    if (!initialized) { lastError = version === "2004" ? "112" : "301"; return "false"; }
    if (finished) { lastError = version === "2004" ? "113" : "101"; return "false"; }
    finished = true; lastError = "0";
    return send(true, true) ? "true" : "false";
  }
  function getValue(element) {
    if (!initialized || finished) { lastError = version === "2004" ? "122" : "301"; return ""; }
    element = String(element);
    lastError = "0";
    var match = element.match(/^(cmi\.(?:interactions|objectives))\._count$/);
    if (match) { return count(match[1] + "."); }
    if (Object.prototype.hasOwnProperty.call(data, element)) { return String(data[element]); }
    return "";
  }
  function setValue(element, value) {
    if (!initialized || finished) {
      lastError = version === "2004" ? "132" : "301";
      return "false";
    }
    element = String(element);
    if (element.indexOf("cmi.") !== 0 && element.indexOf("adl.") !== 0) {
      lastError = "201"; return "false";
    }
    data[element] = String(value);
    dirty = true; lastError = "0";
    if (STATUS[element]) { send(false, false); dirty = false; }
    return "true";
  }
  function commit(arg) {
    if (!initialized) { lastError = version === "2004" ? "142" : "301"; return "false"; }
    lastError = "0";
    dirty = false;
    return send(false, true) ? "true" : "false";
  }
  function errorString(code) { return ERRORS[String(code)] || ""; }
  window.API = {
    LMSInitialize: initialize, LMSFinish: terminate, LMSGetValue: getValue,
    LMSSetValue: setValue, LMSCommit: commit,
    LMSGetLastError: function () { return lastError; },
    LMSGetErrorString: errorString, LMSGetDiagnostic: errorString
  };
  window.API_1484_11 = {
    Initialize: initialize, Terminate: terminate, GetValue: getValue, SetValue: setValue,
    Commit: commit, GetLastError: function () { return lastError; },
    GetErrorString: errorString, GetDiagnostic: errorString
  };
  window.addEventListener("pagehide", function () {
    if (initialized && !finished && dirty) { send(false, "beacon"); }
  });
})();
"""

_SCORM_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>html,body{{margin:0;height:100%;overflow:hidden;background:#fff}}
iframe{{border:0;width:100%;height:100%;display:block}}</style>
<script>{api}</script></head>
<body><iframe id="content" title="{title}" src="{src}"></iframe></body></html>
"""

_H5P_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{margin:0;padding:16px;background:#fff;font-family:sans-serif}}</style>
<script src="{player}main.bundle.js"></script></head>
<body><div id="h5p-container"></div>
<script>
(function () {{
  var base = {base};
  function send(statement) {{
    try {{
      var request = new XMLHttpRequest();
      request.open("POST", base + "api/xapi", true);
      request.setRequestHeader("Content-Type", "application/json");
      request.send(JSON.stringify(statement));
    }} catch (e) {{}}
  }}
  new H5PStandalone.H5P(document.getElementById("h5p-container"), {{
    h5pJsonPath: {content},
    frameJs: "{player}frame.bundle.js",
    frameCss: "{player}styles/h5p.css",
    frame: false, copyright: false, export: false, embed: false, icon: false
  }}).then(function () {{
    H5P.externalDispatcher.on("xAPI", function (event) {{ send(event.data.statement); }});
  }});
}})();
</script></body></html>
"""


def scorm_page(base: str, title: str, lang: str, src: str, state: dict[str, Any]) -> str:
    api = SCORM_API_JS.replace("__BASE__", json.dumps(base)).replace(
        "__STATE__", json.dumps(state).replace("</", "<\\/"))
    return _SCORM_PAGE.format(lang=html.escape(lang), title=html.escape(title),
                              src=html.escape(src, quote=True), api=api)


def h5p_page(base: str, title: str, lang: str, content: str) -> str:
    return _H5P_PAGE.format(lang=html.escape(lang), title=html.escape(title),
                            player=html.escape(base + "_player/", quote=True),
                            base=json.dumps(base), content=json.dumps(content))
