// The WDL expression language. Public API is re-exported here.
export {};
