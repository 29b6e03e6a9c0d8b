// Test fixture: a client module that forgot to export its driver.
export function open() {}
