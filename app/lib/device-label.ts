/**
 * "Firefox on Linux": a User-Agent summarised for people. A rough guess is
 * enough for a device list (the full string is in the row's title); order
 * matters, as Edge and Opera also say Chrome, and Chrome also says Safari.
 */
export function deviceLabel(userAgent: string | undefined): string {
  if (userAgent === undefined) return 'Unknown device';
  return `${browserOf(userAgent)} on ${systemOf(userAgent)}`;
}

const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/HeadlessChrome\//, 'Headless Chrome'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
];

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux|X11/, 'Linux'],
];

function browserOf(userAgent: string): string {
  for (const [pattern, name] of BROWSERS) if (pattern.test(userAgent)) return name;
  return 'Unknown browser';
}

function systemOf(userAgent: string): string {
  for (const [pattern, name] of SYSTEMS) if (pattern.test(userAgent)) return name;
  return 'an unknown system';
}
