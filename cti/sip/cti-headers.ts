// The bridge's own SIP headers, which the generated Asterisk dialplan carries between the bridge and the phones.
// Asterisk drops every X- header it is not told to copy (measured with Asterisk 22), so these names are a contract
// between `ctibridge asterisk-config` and the code that sends or reads them.

/** Headers the bridge puts on a call to an agent's extension; the dialplan copies them to the phone's INVITE. */
export const HEADERS_COPIED_TO_PHONES = {
  callId: "X-CTI-Call-Id",
  serviceGroup: "X-CTI-Service-Group",
  associatedData: "X-CTI-Associated-Data",
  /** The call profile's fields with a value, `Field=value` pairs percent-encoded and joined by ';'. */
  callProfile: "X-CTI-Call-Profile",
} as const;

/**
 * Headers Asterisk adds to the INVITE of a hairpin after an agent's blind transfer: the SIP Call-ID and the tags
 * (`local=…;remote=…`, as Asterisk sees them) of the bridge's original call leg, which stays up inside Asterisk.
 */
export const TRANSFER_MARK_HEADERS = {
  callId: "X-CTI-Transfer-Call-ID",
  tags: "X-CTI-Transfer-Tags",
} as const;
