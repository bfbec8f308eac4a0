/** The product version, kept in step with the packages' package.json files. */
export const version = '0.1.0';
