// Marks the page as able to run GOV.UK Frontend, then starts its components.
import { initAll } from "/static/build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
