/**
 * Story drafting: a feature and its key facts; the answer is one user story with acceptance
 * criteria. Rules check the shape (role, goal, benefit; at least three Given/When/Then criteria);
 * a judge checks that the facts that matter — the expiry, the limit, the privacy rule — became
 * testable criteria.
 */
import type { EvalTask, TextRule } from "../eval-task.js";
import { paragraphs } from "./task-text.js";

const STORY_SHAPE: readonly TextRule[] = [
  {
    rule: "matches",
    pattern: "\\bAs an?\\b[^\\n]*?\\bI (?:want|need|can)\\b[\\s\\S]*?\\bso that\\b",
    flags: "i",
    message: 'there is no story of the form "As a …, I want …, so that …"',
  },
  {
    rule: "matches",
    pattern: "\\bGiven\\b[\\s\\S]*?\\bWhen\\b[\\s\\S]*?\\bThen\\b",
    flags: "gi",
    atLeast: 3,
    message: "there are fewer than three Given/When/Then acceptance criteria",
  },
];

function storyTask(task: {
  id: string;
  title: string;
  feature: string;
  facts: string;
  points: string[];
  reference: string;
  wrong: string;
}): EvalTask {
  return {
    id: task.id,
    kind: "story-drafting",
    title: task.title,
    prompt: paragraphs(
      `Write one user story ("As a …, I want …, so that …") with at least three acceptance criteria in Given/When/Then form for this feature: ${task.feature}`,
      `Key facts: ${task.facts}`,
    ),
    maxTokens: 900,
    check: { type: "text", rules: STORY_SHAPE, judge: { points: task.points } },
    reference: task.reference.trim(),
    wrong: task.wrong.trim(),
  };
}

export const STORY_DRAFTING_TASKS: readonly EvalTask[] = [
  storyTask({
    id: "story-password-reset",
    title: "password reset by email",
    feature: "users who forgot their password can reset it by email.",
    facts:
      "reset links expire after 30 minutes and work once; the reset page must not reveal whether an email address has an account.",
    points: [
      "the link expires after 30 minutes",
      "the link works only once",
      "the response is the same whether or not the address has an account",
      "after resetting, the user can log in with the new password",
    ],
    reference: `
**Story:** As a user who forgot my password, I want to reset it through a link sent to my email, so that I can get back into my account without contacting support.

**Acceptance criteria**
1. Given a registered email address, when I request a reset, then I receive an email with a reset link, and after setting a new password I can log in with it.
2. Given a reset link older than 30 minutes, when I open it, then I am told it expired and can request a new one.
3. Given a reset link I already used, when I open it again, then it is rejected.
4. Given any email address, registered or not, when I request a reset, then I see the same message ("if an account exists, we sent a link"), so the page does not reveal who has an account.`,
    wrong: `
As a user I want to reset my password.

- Given I forgot my password, when I click "forgot password", then I get an email with a link.`,
  }),
  storyTask({
    id: "story-invoice-export",
    title: "invoice export for accountants",
    feature: "accountants export the invoices of a date range as CSV.",
    facts:
      "columns number, date, customer, net, vat, gross; amounts with two decimals and a dot; the range includes both ends; above 10,000 invoices the file is emailed instead of downloaded.",
    points: [
      "the CSV has the columns number, date, customer, net, vat, gross",
      "amounts have two decimals with a dot as separator",
      "both the start and the end date are included",
      "more than 10,000 invoices: the file is emailed instead of downloaded",
    ],
    reference: `
As an accountant, I want to export the invoices of a date range as a CSV file, so that I can load them into our bookkeeping software.

Acceptance criteria:
- Given invoices dated 1 March and 31 March, when I export 1–31 March, then both are in the file (the range includes both ends).
- Given an export, when I open the file, then its columns are number, date, customer, net, vat, gross, and amounts have two decimals with a dot (1234.50).
- Given a range with more than 10,000 invoices, when I export it, then I am told the file will be emailed, and it arrives by email instead of downloading.
- Given a range with no invoices, when I export it, then I get a file with only the header row.`,
    wrong: `
As an accountant, I want to export invoices as CSV, so that I can use them in other tools.

- Given I choose a date range, when I click export, then a CSV downloads.
- Given the CSV, when I open it, then I see one row per invoice.
- Given a large range, when I export, then the download may take a while.`,
  }),
  storyTask({
    id: "story-dark-mode",
    title: "dark mode",
    feature: "a dark colour scheme for the web app.",
    facts:
      "by default it follows the operating system's setting; users can choose light or dark in their settings, and that choice is stored on the account so it follows them to other devices; charts must stay readable in both schemes.",
    points: [
      "by default the scheme follows the operating system",
      "an explicit light or dark choice overrides the system setting",
      "the choice is stored on the account and applies on other devices",
      "charts stay readable (contrast) in the dark scheme",
    ],
    reference: `
As a user who works in the evening, I want the app in a dark colour scheme, so that it is easier on my eyes and matches my system.

Acceptance criteria:
1. Given I have not chosen a scheme, when my operating system is set to dark, then the app is dark (and light when the OS is light).
2. Given I choose "light" in settings, when my OS is dark, then the app stays light: my choice wins.
3. Given I chose "dark" on my laptop, when I log in on my phone, then the app is dark there too, because the choice is saved on my account.
4. Given the dark scheme, when I view a dashboard chart, then its lines, labels and axes meet the contrast guidelines and stay readable.`,
    wrong: `
As a user, I want dark mode, so that the app looks modern.

1. Given I open settings, when I toggle dark mode, then the app turns dark.
2. Given dark mode is on, when I reload the page, then it is still dark.
3. Given dark mode is on, when I toggle it off, then the app turns light.`,
  }),
  storyTask({
    id: "story-budget-alert",
    title: "budget alerts for team leads",
    feature: "team leads are alerted when their team's monthly cloud spend passes 80% of its budget.",
    facts:
      "the alert is sent once per month per threshold, by email and to the team's Slack channel, and shows the spend so far and the forecast for the month.",
    points: [
      "the alert fires when spend passes 80% of the monthly budget",
      "it is sent only once per month for that threshold",
      "it goes by email and to the team's Slack channel",
      "it shows the spend so far and the month-end forecast",
    ],
    reference: `
As a team lead, I want to be alerted when my team's monthly cloud spend passes 80% of its budget, so that I can act before we run out.

Acceptance criteria:
- Given a $1,000 budget, when spend goes from $790 to $810, then I get an alert by email and in our team's Slack channel.
- Given the 80% alert already fired this month, when spend keeps rising below 100%, then no second 80% alert is sent; next month it can fire again.
- Given an alert, when I read it, then it shows the spend so far and the forecast for the end of the month.`,
    wrong: `
As a team lead, I want budget alerts, so that I know about spending.

- Given spend is high, when it passes the threshold, then an email is sent.
- Given an email is sent, when I open it, then I see a link to the dashboard.
- Given spend keeps rising, when it passes the threshold again, then another email is sent.`,
  }),
  storyTask({
    id: "story-recovery-codes",
    title: "two-factor recovery codes",
    feature:
      "users with two-factor authentication can sign in with recovery codes when they lose their phone.",
    facts:
      "10 single-use codes are generated and shown once; generating new codes invalidates the old ones; signing in with a code is logged and the user is emailed about it.",
    points: [
      "10 codes are generated and shown only once",
      "each code works only once",
      "generating new codes invalidates all the old ones",
      "using a code is logged and triggers an email to the user",
    ],
    reference: `
As a user with two-factor authentication, I want recovery codes, so that I can still sign in if I lose my phone.

Acceptance criteria:
1. Given two-factor is on, when I generate recovery codes, then I see 10 codes once, with a prompt to store them; they are never shown again.
2. Given a recovery code, when I sign in with it, then I am in, and the same code is rejected the next time.
3. Given I generate a new set, when I try a code from the old set, then it is rejected.
4. Given I sign in with a recovery code, when the sign-in completes, then it is recorded in my security log and I receive an email saying a recovery code was used.`,
    wrong: `
As a user with two-factor authentication, I want recovery codes, so that I can sign in without my phone.

1. Given two-factor is on, when I open security settings, then I can see my recovery codes.
2. Given a recovery code, when I sign in with it, then I am signed in.
3. Given I lost my codes, when I open security settings, then I can view them again.`,
  }),
  storyTask({
    id: "story-team-invites",
    title: "inviting teammates",
    feature: "admins invite teammates to their workspace by email.",
    facts:
      "invitations expire after 7 days; the invitee picks a name and password when accepting; an admin can revoke a pending invitation; when the plan has no free seats the invitation is refused with a message saying so.",
    points: [
      "invitations expire after 7 days",
      "the invitee sets a name and password when accepting",
      "an admin can revoke a pending invitation",
      "with no free seats the invitation is refused with an explanation",
    ],
    reference: `
As a workspace admin, I want to invite teammates by email, so that they can join our workspace without me creating accounts for them.

Acceptance criteria:
- Given a free seat, when I invite ana@example.com, then she gets an email with a link, and when she accepts she chooses her name and password and joins the workspace.
- Given an invitation sent 8 days ago, when the invitee opens the link, then it says the invitation expired (they last 7 days).
- Given a pending invitation, when I revoke it, then its link stops working.
- Given every seat of our plan is taken, when I invite someone, then the invitation is refused with a message that there are no free seats and how to add one.`,
    wrong: `
As an admin, I want to invite people, so that my team can collaborate.

- Given I enter an email, when I click invite, then an invitation email is sent.
- Given the invitee clicks the link, when the page loads, then they join the workspace.
- Given I invited someone by mistake, when I contact support, then they remove the person.`,
  }),
];
