/**
 * Whether a PIN appears in text as a whole number. A plain substring check is flaky: time stamps, ports,
 * Call-IDs and base64 salts contain any four digits now and then. Tests use seven-digit PINs with this.
 */
export function mentionsPin(text: string, pin: string): boolean {
  return new RegExp(`(?<![0-9])${pin}(?![0-9])`).test(text);
}
