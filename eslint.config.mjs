// One linter: typescript-eslint's recommended type-checked rules over the program, its tools and its tests.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    // The two tool configs are plain JavaScript outside the TypeScript project.
    { ignores: ["node_modules/", "build/", "eslint.config.mjs", ".mocharc.cjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
    },
);
