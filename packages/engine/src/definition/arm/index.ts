// ARM deployment templates: the expression evaluator and the template import that load.ts uses.
export { evaluateArmExpression, classifyArmString } from './evaluate.js';
export { armFunctionNames } from './functions.js';
export type { ArmDeployment, ArmScope } from './functions.js';
export { defaultArmDeployment, importArmTemplate, isArmDeploymentTemplate } from './template.js';
export type { ArmImport, ArmImportOptions } from './template.js';
export { ArmError } from './errors.js';
