// The live class: redraws the page from the snapshots the server pushes (server-sent
// events). Text only, built with DOM calls (no innerHTML), so nothing in a name can run.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var room = root.getAttribute("data-room");
  var summary = document.getElementById("summary");
  var flagsList = document.getElementById("flags");
  var teamsBox = document.getElementById("teams");
  var stationsList = document.getElementById("stations");
  var lastFlags = "";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function who(p) { return p.name ? p.name + " (" + p.pupil + ")" : p.pupil; }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function draw(s) {
    var step = s.step_title || s.step;
    summary.textContent = (s.run ? "Lesson run " + s.run : "No lesson yet") +
      (step ? ", step " + step : "") + ": " + s.present + " present, " + s.waiting +
      " not acted yet in this step.";
    var flagKey = JSON.stringify(s.flags);
    if (flagKey !== lastFlags) {
      lastFlags = flagKey;
      clear(flagsList);
      if (!s.flags.length) { flagsList.appendChild(el("li", "None so far.")); }
      s.flags.forEach(function (f) {
        var li = el("li", null, "flag " + f.status);
        var a = el("a", who(f)); a.href = "/pupil/" + encodeURIComponent(f.pupil);
        li.appendChild(a);
        li.appendChild(document.createTextNode(": " + f.rule_text + " (" + f.status + "). " + f.detail));
        flagsList.appendChild(li);
      });
    }
    clear(teamsBox);
    s.teams.forEach(function (t) {
      var h = el("h3", "Team " + t.team);
      var ul = el("ul", null, "tiles");
      ul.setAttribute("aria-label", "Team " + t.team);
      t.pupils.forEach(function (p) {
        var state = !p.present ? "absent" : (p.acted ? "acted" : "waiting");
        var li = el("li", null, "tile " + state);
        li.setAttribute("data-pupil", p.pupil);
        li.setAttribute("data-state", state);
        var a = el("a", who(p)); a.href = "/pupil/" + encodeURIComponent(p.pupil);
        li.appendChild(a);
        var words = !p.present ? "not here" : (p.acted ? "has acted this step" : "has not acted yet");
        li.appendChild(el("div", words + " · " + p.contributions + " contributions, " + p.passes + " passes", "muted"));
        ul.appendChild(li);
      });
      teamsBox.appendChild(h);
      teamsBox.appendChild(ul);
    });
    clear(stationsList);
    var names = Object.keys(s.stations);
    if (!names.length) { stationsList.appendChild(el("li", "None connected yet.")); }
    names.forEach(function (n) { stationsList.appendChild(el("li", n + ": " + s.stations[n])); });
    root.setAttribute("data-version", String(s.version));
    root.setAttribute("data-following", s.following ? "yes" : "no");
    if (!s.following) { summary.textContent += " (not connected to the hub's broker yet)"; }
  }

  var source = new EventSource("/live/" + encodeURIComponent(room) + "/stream");
  source.onmessage = function (e) { draw(JSON.parse(e.data)); };
  source.onerror = function () { summary.textContent = "Reconnecting to the hub…"; };
})();
