// Generated from crates/core/src/ui_constants.rs by the core tests. Do not edit.

/** The IMS scopes a new Adobe account asks for (core's `adobe::ims::DEFAULT_SCOPES`). */
export const DEFAULT_SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session";
