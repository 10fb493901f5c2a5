import { registerModuleChecks } from "./module_checks.ts";

registerModuleChecks("plain");
