// ajv's side of bench/validate.sh part 2: compiles one schema of an OpenAPI 3.0 spec with ajv
// (draft-07 mode, OpenAPI's `nullable` supported by ajv, unknown keywords such as `example`
// ignored), validates a JSON array of documents for a fixed time, and prints documents per
// second and each document's verdict, like specs/bench/schema_bench.c: documents already parsed,
// and documents from their JSON text (JSON.parse, then validate).
//   node bench.mjs SPEC.yaml POINTER DOCS.json [SECONDS] [assert|annotate]
import fs from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import YAML from "yaml";

const [spec, pointer, docsPath, secondsArg, formats] = process.argv.slice(2);
const seconds = Number(secondsArg || 2);
const assert = formats === "assert";
const doc = YAML.parse(fs.readFileSync(spec, "utf8"), { maxAliasCount: -1 });
const ajv = new Ajv({ strict: false, validateFormats: assert, allErrors: false, logger: false });
if (assert) addFormats(ajv, ["date-time", "date", "time", "email", "uuid", "uri", "ipv4", "ipv6",
                             "hostname"]);
ajv.addSchema(doc, "spec");
const validate = ajv.compile({ $ref: "spec#" + pointer });
const docs = JSON.parse(fs.readFileSync(docsPath, "utf8"));

let verdicts = "", valid = 0;
for (const d of docs) { const ok = validate(d); verdicts += ok ? "1" : "0"; valid += ok ? 1 : 0; }
let done = 0;
const start = process.hrtime.bigint();
let elapsed;
do {
    for (let i = 0; i < docs.length; ++i) validate(docs[i]);
    done += docs.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
} while (elapsed < seconds);
const treeRate = done / elapsed;
// from the text, as a Node gateway gets a body: JSON.parse, then validate
const texts = docs.map((d) => JSON.stringify(d));
done = 0;
const start2 = process.hrtime.bigint();
do {
    for (let i = 0; i < texts.length; ++i) validate(JSON.parse(texts[i]));
    done += texts.length;
    elapsed = Number(process.hrtime.bigint() - start2) / 1e9;
} while (elapsed < seconds);
console.log("docs/s " + Math.round(treeRate));
console.log("text-docs/s " + Math.round(done / elapsed));
console.log("valid " + valid + " of " + docs.length);
console.log("verdicts " + verdicts);
