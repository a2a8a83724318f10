// p2p-sync dashboard: copy buttons, the peers table refreshed while open, the live activity feed and the
// conflict editor's "start from" buttons. Plain JavaScript; every form works without it.
(function () {
  "use strict";

  function copy(button) {
    var target = document.getElementById(button.dataset.copy);
    var text = target.value || target.textContent;
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      target.select();
      document.execCommand("copy");
      done();
    }
  }

  // Replaces the element with the same markup fetched again, every second, while the page is open.
  function refresh(element) {
    var url = element.dataset.refresh;
    var id = element.id;
    setInterval(function () {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          var current = document.getElementById(id);
          if (html && current) {
            current.outerHTML = html;
          }
        })
        .catch(function () { /* the node is restarting; the next tick tries again */ });
    }, 1000);
  }

  function follow(list) {
    var status = document.getElementById("live");
    var source = new EventSource(list.dataset.stream);
    source.onopen = function () { status.classList.add("on"); status.textContent = "live"; };
    source.onerror = function () { status.classList.remove("on"); status.textContent = "reconnecting"; };
    source.addEventListener("activity", function (event) {
      var a = JSON.parse(event.data);
      var item = document.createElement("li");
      item.className = a.kind;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = a.kind;
      var time = document.createElement("time");
      time.dateTime = a.at;
      time.textContent = a.at.substring(11, 19);
      var text = document.createElement(a.link ? "a" : "span");
      text.className = "text";
      text.textContent = a.text;
      if (a.link) {
        text.href = a.link;
      }
      item.append(kind, time, text);
      var empty = document.getElementById("feed-empty");
      if (empty) {
        empty.remove();
      }
      list.prepend(item);
      while (list.children.length > 200) {
        list.lastElementChild.remove();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (b) {
      b.addEventListener("click", function () { copy(b); });
    });
    document.querySelectorAll("[data-refresh]").forEach(refresh);
    document.querySelectorAll("[data-stream]").forEach(follow);
    document.querySelectorAll("[data-fill]").forEach(function (b) {
      b.addEventListener("click", function () {
        document.getElementById(b.dataset.fill).value = b.dataset.row;
      });
    });
  });
})();
