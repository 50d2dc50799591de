
(function () {
  var rendered = [];
  var sections = document.querySelectorAll("section[id]");
  for (var i = 0; i < sections.length; i++) {
    var s = sections[i], box = s.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0)) continue;
    var want = s.getAttribute("data-expect");
    if (want) {
      var found = false, figs = s.querySelectorAll(want);
      for (var j = 0; j < figs.length && !found; j++) {
        var b = figs[j].getBoundingClientRect();
        found = b.width > 0 && b.height > 0;
      }
      if (!found) continue;
    }
    rendered.push(s.id);
  }
  document.body.setAttribute("data-rendered", rendered.join(" "));
})();
