// Start the NHS.UK frontend components (character counts, error summary focus, header menu...).
import { initAll } from "../vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.js";

initAll();
