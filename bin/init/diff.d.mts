/** Every line of `after`, marked "+ " when added and "- " for lines of `before` removed. */
export declare function lineDiff(before: string, after: string): string;
