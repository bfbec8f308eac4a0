// The workflow engine. Public API is re-exported here.
export {};
