/** Leave-one-author-out validation over the even half of the authors: see leave-one-author-out.ts. */

import { describe } from "vitest";
import { checkLeaveOneAuthorOut } from "./leave-one-author-out.js";

// Measured 89.4%, 94.8%, 1.7% over its eighteen authors writing in English (thirty-nine
// authors, l1 0.000003; the floors catch a regression, not one prompt's noise).
describe("the learned model", () => {
  checkLeaveOneAuthorOut("even", { task: 0.88, tier: 0.94, underRouted: 0.022 });
});
