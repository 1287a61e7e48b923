// The index page: the live build, a rebuild with a progress bar (polling the job until it
// succeeded, failed or was rejected by the quality gate), the gate's verdict with an
// admin override, and the recent rebuilds.

import { h, replace } from "../shared/dom.js";
import { toast } from "../console/ui.js";
import { enc, get, post } from "./api.js";
import { badge, percent, timeNode } from "./format.js";

const $ = (id) => document.getElementById(id);
const FINAL = ["succeeded", "failed", "rejected"];
const POLL_MS = 500;
const isAdmin = document.body.dataset.role === "admin";
let watching = null; // the job id being polled

function fact(term, ...value) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function quality(job) {
  const q = job.quality;
  if (!q) return "–";
  return q.baseline === null || q.baseline === undefined
    ? `${percent(q.candidate)} (no earlier index)`
    : `${percent(q.baseline)} → ${percent(q.candidate)}`;
}

function showLive(live) {
  if (!live) {
    replace($("live"), fact("State", "no live index: the bot cannot search"));
    return;
  }
  replace(
    $("live"),
    fact("Build", h("code", {}, live.id)),
    fact("Documents", `${live.documents} (${live.embedded} embedded in that build)`),
    fact("Built by", live.requested_by),
    fact("Finished", timeNode(live.finished_at || live.created_at)),
    fact("Evaluation questions answered right", quality(live)),
    live.override ? fact("Published by override", `${live.override.by}: ${live.override.reason}`) : [],
  );
}

function jobRow(job) {
  const open = job.state === "rejected" || !FINAL.includes(job.state);
  return h(
    "tr",
    { dataset: { job: job.id } },
    h("td", {}, timeNode(job.created_at)),
    h("td", {}, badge(job.state), job.live ? [" ", badge("live")] : null, job.override ? [" ", badge("override")] : null),
    h("td", {}, job.requested_by),
    h("td", {}, job.documents ? `${job.documents} (${job.embedded} embedded)` : "–"),
    h("td", {}, quality(job)),
    h("td", {}, job.finished_at ? timeNode(job.finished_at) : "–"),
    h("td", {}, open ? h("button", { type: "button", class: "small", onclick: () => watch(job) }, job.state === "rejected" ? "Show verdict" : "Follow") : null),
  );
}

async function loadState() {
  try {
    const state = await get("/api/kb/index");
    showLive(state.live);
    replace($("jobs"), state.jobs.map(jobRow));
    return state;
  } catch (error) {
    if (error.status !== 401) toast(`Could not load the index state: ${error.message}`, "error");
    return null;
  }
}

function stateText(job) {
  const pct = `${Math.round(job.progress * 100)} %`;
  if (job.state === "queued") return "Waiting to start …";
  if (job.state === "running") return `${pct} · ${job.message || "building"}`;
  if (job.state === "succeeded") {
    return `Done: the new index is live (${job.documents} documents, ${job.embedded} embedded anew).`;
  }
  if (job.state === "rejected") return "Not published: the evaluation questions got worse. The old index keeps serving.";
  return `Failed: ${job.message || "unknown error"}. The old index keeps serving.`;
}

function showVerdict(job) {
  const q = job.quality;
  $("verdict").hidden = !q;
  if (!q) return;
  const before = q.baseline === null || q.baseline === undefined ? "no earlier index" : percent(q.baseline);
  replace(
    $("verdict-summary"),
    `Evaluation questions answered right: live index ${before}, this build ${percent(q.candidate)}. `,
    q.passed ? "Passed." : "Rejected.",
    job.override ? ` Published anyway by ${job.override.by}: "${job.override.reason}".` : "",
  );
  const worse = q.regressions || [];
  $("regressions-table").hidden = worse.length === 0;
  replace(
    $("regressions"),
    worse.map((r) =>
      h("tr", {}, h("td", {}, r.question), h("td", {}, r.lang || "–"), h("td", {}, h("code", {}, r.expected)), h("td", {}, r.before || "no answer"), h("td", {}, r.now || "no answer")),
    ),
  );
}

function show(job) {
  $("job").hidden = false;
  $("job").dataset.state = job.state;
  $("job-label").textContent = `Rebuild ${job.id}`;
  replace($("job-state"), job.state);
  $("job-state").className = `status-badge ${job.state}`;
  $("job-progress").value = Math.round(job.progress * 100);
  $("job-progress").setAttribute("aria-valuetext", stateText(job));
  $("job-message").textContent = stateText(job);
  showVerdict(job);
  const override = $("override-form");
  if (override) override.hidden = !(isAdmin && job.state === "rejected" && !job.override);
  $("rebuild").disabled = !FINAL.includes(job.state);
}

async function watch(job) {
  watching = job.id;
  show(job);
  while (watching === job.id && !FINAL.includes(job.state)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      job = await get(`/api/kb/index/jobs/${enc(job.id)}`);
    } catch (error) {
      if (error.status === 401) return;
      $("job-message").textContent = `Lost touch with the rebuild (${error.message}); retrying …`;
      continue;
    }
    if (watching === job.id) show(job);
  }
  if (watching === job.id) await loadState();
}

$("rebuild").addEventListener("click", async () => {
  $("rebuild").disabled = true;
  try {
    watch(await post("/api/kb/index/rebuild", {}));
  } catch (error) {
    $("rebuild").disabled = false;
    toast(`The rebuild did not start: ${error.message}`, "error");
  }
});

$("override-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const reason = $("override-reason").value.trim();
  const error = $("override-error");
  error.hidden = true;
  try {
    const job = await post(`/api/kb/index/jobs/${enc(watching)}/override`, { reason });
    $("override-reason").value = "";
    show(job);
    toast("The build is live (override logged).");
    await loadState();
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  }
});

$("rebuild").disabled = false; // clickable once this module handles it
const state = await loadState();
const running = state?.jobs.find((job) => !FINAL.includes(job.state));
if (running) watch(running); // someone's rebuild is under way: follow it
