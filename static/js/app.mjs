// Loaded as a module, so it runs only in browsers GOV.UK Frontend supports; the pages
// work without it.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Signing out in one tab takes Front Door's pages off the screen in this browser's other
// tabs, which would otherwise go on showing a child's record to whoever sits down at an
// unattended desk. The page after signing out says so to the others (base.html marks it);
// a signed-in page that hears it goes to the sign-in page, which brings it back after
// signing in. What was typed and not sent in those tabs is lost, as it is in the tab that
// signed out.
if ("BroadcastChannel" in window) {
  const channel = new BroadcastChannel("frontdoor-session");
  const signInUrl = document.body.dataset.fdSignInUrl;
  if (document.body.hasAttribute("data-fd-signed-out")) {
    channel.postMessage("signed-out");
  } else if (signInUrl) {
    channel.addEventListener("message", (event) => {
      if (event.data !== "signed-out") return;
      const next = encodeURIComponent(window.location.pathname + window.location.search);
      window.location.replace(`${signInUrl}?next=${next}`);
    });
  }
}
