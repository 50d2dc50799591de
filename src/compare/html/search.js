
(function () {
  var data = document.getElementById("story-index");
  var box = document.getElementById("story-query");
  var body = document.getElementById("story-results");
  var count = document.getElementById("story-count");
  if (!data || !box || !body || !count) return;
  var rows = JSON.parse(data.textContent), limit = 100;
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }
  function show() {
    var words = box.value.toLowerCase().split(/\s+/).filter(function (w) { return w; });
    var hits = 0;
    while (body.firstChild) body.removeChild(body.firstChild);
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], hay = (r[1] + " " + r[6]).toLowerCase(), ok = true;
      for (var k = 0; k < words.length && ok; k++) ok = hay.indexOf(words[k]) >= 0;
      if (!ok) continue;
      hits++;
      if (hits > limit) continue;
      var tr = document.createElement("tr");
      cell(tr, String(r[0]), "n");
      cell(tr, r[1]);
      cell(tr, String(r[2]), "n");
      cell(tr, String(r[3]), "n");
      cell(tr, r[4] === r[5] ? r[4] : r[4] + " – " + r[5]);
      cell(tr, r[6]);
      body.appendChild(tr);
    }
    count.textContent = hits + (hits === 1 ? " story" : " stories") +
      (hits > limit ? "; the first " + limit + " are listed" : "");
  }
  box.addEventListener("input", show);
  box.disabled = false;
  show();
})();
