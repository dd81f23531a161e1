// Accessibility checks run inside the page: controls that have no name a screen reader could
// announce, and text whose colour does not stand out enough from what is behind it (WCAG 2.x
// contrast: 4.5:1, or 3:1 for large text). The code runs in the browser, hence the DOM types.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { Page } from 'playwright-core';

/** Visible buttons and links that have neither text nor a label. */
export function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const shown = (element: Element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    };
    const spokenText = (element: Element): string =>
      [...element.childNodes]
        .map((node) => {
          if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
          if (!(node instanceof Element) || node.getAttribute('aria-hidden') === 'true') return '';
          return node.getAttribute('aria-label') ?? (node.getAttribute('alt') || spokenText(node));
        })
        .join('')
        .trim();
    const named = (element: Element) =>
      Boolean(
        element.getAttribute('aria-label')?.trim() ||
        element.getAttribute('aria-labelledby') ||
        element.getAttribute('title')?.trim() ||
        spokenText(element),
      );
    return [...document.querySelectorAll('button, a[href], [role="button"]')]
      .filter((element) => shown(element) && element.closest('[aria-hidden="true"]') === null)
      .filter((element) => !named(element))
      .map((element) => element.outerHTML.slice(0, 160));
  });
}

export interface ContrastFailure {
  text: string;
  ratio: number;
  needed: number;
  color: string;
  background: string;
}

/** Text on screen whose contrast is below what WCAG AA asks. Disabled controls are exempt. */
export function contrastFailures(page: Page): Promise<ContrastFailure[]> {
  return page.evaluate(() => {
    // Colours are judged as they end up, not halfway through a fade-in.
    for (const animation of document.getAnimations()) {
      if (animation.effect?.getComputedTiming().endTime !== Infinity) animation.finish();
    }

    type Rgba = [number, number, number, number];

    const parse = (value: string): Rgba => {
      const numbers = value.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [numbers[0], numbers[1], numbers[2], numbers[3] ?? 1];
    };
    const over = (top: Rgba, below: Rgba): Rgba => {
      const alpha = top[3];
      return [0, 1, 2].map((i) => top[i] * alpha + below[i] * (1 - alpha)).concat(1) as Rgba;
    };
    const luminance = ([r, g, b]: Rgba) => {
      const channel = (value: number) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const ratio = (a: Rgba, b: Rgba) => {
      const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (light + 0.05) / (dark + 0.05);
    };

    /** What is painted behind the element; undefined when a picture or gradient is involved. */
    const backdrop = (element: Element): Rgba | undefined => {
      const layers: Rgba[] = [];
      for (let node: Element | null = element; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (style.backgroundImage !== 'none') return undefined;
        const colour = parse(style.backgroundColor);
        if (colour[3] > 0) layers.push(colour);
        if (colour[3] >= 1) break;
      }
      return layers.reduceRight<Rgba>((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const opacity = (element: Element) => {
      let product = 1;
      for (let node: Element | null = element; node; node = node.parentElement) {
        product *= Number(getComputedStyle(node).opacity);
      }
      return product;
    };
    const disabled = (element: Element) =>
      element.closest('[disabled], [aria-disabled="true"], .disabled, .q-field--disabled') !== null;

    const failures: ContrastFailure[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || seen.has(element) || !node.textContent?.trim()) continue;
      seen.add(element);
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
      if (element.closest('[aria-hidden="true"], .sr-only') || disabled(element)) continue;
      const background = backdrop(element);
      if (!background) continue;
      const colour = parse(style.color);
      // Fully faded text (a menu closing, a toast leaving) is not on screen to be read.
      if (opacity(element) < 0.05) continue;
      const shown = over(
        [colour[0], colour[1], colour[2], colour[3] * opacity(element)],
        background,
      );
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      const measured = ratio(shown, background);
      if (measured < needed) {
        failures.push({
          text: node.textContent.trim().slice(0, 60),
          ratio: Math.round(measured * 100) / 100,
          needed,
          color: style.color,
          background: `rgb(${background.slice(0, 3).map(Math.round).join(', ')})`,
        });
      }
    }
    return failures;
  });
}
