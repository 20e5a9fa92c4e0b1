// Madoguchi assistant widget for a municipality's own web site. Include after a link:
//   <a href="https://…/082015/assistant/" id="madoguchi-assistant" data-embed="https://…/082015/assistant/embed/">…</a>
//   <script src="https://…/static/portal/widget.js" defer></script>
// Without JavaScript the link opens the assistant page; with it, the page opens in a panel.
(function () {
  "use strict";

  function init() {
    var link = document.getElementById("madoguchi-assistant");
    if (!link || !link.getAttribute("data-embed")) return;
    var panel = null;
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (panel) {
        var open = panel.hidden;
        panel.hidden = !open;
        link.setAttribute("aria-expanded", String(open));
        return;
      }
      panel = document.createElement("div");
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-label", link.textContent);
      panel.style.cssText = "position:fixed;right:1rem;bottom:1rem;width:min(26rem,calc(100vw - 2rem));" +
        "height:min(40rem,calc(100vh - 2rem));background:#fff;border:2px solid #00118f;border-radius:8px;" +
        "box-shadow:0 4px 16px rgba(0,0,0,.3);z-index:2147483000;display:flex;flex-direction:column";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "×";
      close.setAttribute("aria-label", "Close / 閉じる");
      close.style.cssText = "align-self:flex-end;font-size:1.5rem;min-width:44px;min-height:44px;border:0;background:none;cursor:pointer";
      close.addEventListener("click", function () {
        panel.hidden = true;
        link.setAttribute("aria-expanded", "false");
        link.focus();
      });
      var frame = document.createElement("iframe");
      frame.src = link.getAttribute("data-embed");
      frame.title = link.textContent;
      frame.style.cssText = "flex:1;border:0;width:100%";
      panel.appendChild(close);
      panel.appendChild(frame);
      document.body.appendChild(panel);
      link.setAttribute("aria-expanded", "true");
      close.focus();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
