import test from "ava";
import { decodeG711, encodeG711, G711_SILENCE } from "../../ivr/media/g711.js";

test("silence encodes to the codes phones expect (0xFF µ-law, 0xD5 A-law)", (t) => {
  t.is(G711_SILENCE.ulaw, 0xff);
  t.is(G711_SILENCE.alaw, 0xd5);
});

test("reference values of ITU-T G.711 are met", (t) => {
  const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);
  t.deepEqual([...encodeG711("ulaw", samples)], [0xff, 0xce, 0x4e, 0x80, 0x00]);
  t.deepEqual([...encodeG711("alaw", samples)], [0xd5, 0xfa, 0x7a, 0xaa, 0x2a]);
  t.deepEqual([...decodeG711("ulaw", Uint8Array.from([0x80, 0x00, 0xff, 0x7f]))], [32124, -32124, 0, 0]);
  t.deepEqual([...decodeG711("alaw", Uint8Array.from([0xaa, 0x2a, 0xd5, 0x55]))], [32256, -32256, 8, -8]);
});

for (const law of ["ulaw", "alaw"] as const) {
  test(`${law}: every code decodes to a sample that encodes back to the same code`, (t) => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const again = encodeG711(law, decodeG711(law, codes));
    // µ-law has two zeros (0x7F is -0); it encodes back as +0 (0xFF).
    const expected = codes.map((c) => (law === "ulaw" && c === 0x7f ? 0xff : c));
    t.deepEqual([...again], [...expected]);
  });

  test(`${law}: the quantisation error stays within the segment's step`, (t) => {
    let worst = 0;
    const ramp = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const back = decodeG711(law, encodeG711(law, ramp));
    for (let i = 0; i < ramp.length; i++) {
      const err = Math.abs(back[i]! - ramp[i]!);
      const relative = err / Math.max(Math.abs(ramp[i]!), 128);
      worst = Math.max(worst, relative);
    }
    t.true(worst < 0.07, `worst relative error ${worst}`);
  });
}
