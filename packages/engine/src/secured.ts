// What run history shows instead of a secured value (secureData inputs/outputs, secure
// parameters, secure definition outputs, secured trigger outputs). Expressions still see the
// real value; only what is recorded or returned is masked.
export const SECURED_VALUE = '*** secured ***';
