// GOV.UK Frontend and MOJ Frontend components, started once the page has loaded.
import { initAll as initGovuk } from "govuk-frontend";
import { initAll as initMoj } from "@ministryofjustice/frontend";

function start() {
  // GOV.UK's page template sets these classes with an inline script; setting them here too
  // keeps the components working on pages whose Content-Security-Policy forbids inline scripts.
  document.body.classList.add("js-enabled", "govuk-frontend-supported");
  initGovuk();
  initMoj();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
