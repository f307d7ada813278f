// Mocha's settings for `npm test`: ts-node without type-checking (`npm run typecheck` does that), the temp-dir clean-up
// hooks, and two workers in parallel, one per core of the machines this runs on.
//
// Parallel workers take the files in the order listed, one at a time: a long file taken last runs alone while the other
// worker idles. So the slowest files (each spawns real tools or evaluates the program many times) come first, and the
// rest after them, in name order.
const SLOWEST_FIRST = [
    "plan",
    "kollaRunbooks",
    "kolla",
    "verifyImages",
    "amphora",
    "hostFiles",
    "deployment",
    "inventory",
    "deployLock",
];

// Files named on the command line (`npx mocha test/inventory.test.ts`) run alone: mocha adds them to a configured spec.
const named = process.argv.slice(2).some((arg) => !arg.startsWith("-") && /\.ts$|\*/.test(arg));

module.exports = {
    require: [
        "ts-node/register/transpile-only",
        "test/support/systemPython.ts",
        "test/support/cleanup.ts",
    ],
    extension: ["ts"],
    spec: named
        ? []
        : [
              ...SLOWEST_FIRST.map((name) => `test/${name}.test.ts`),
              `test/**/!(${SLOWEST_FIRST.join("|")}).test.ts`,
          ],
    timeout: 60000,
    parallel: true,
    jobs: 2,
};
