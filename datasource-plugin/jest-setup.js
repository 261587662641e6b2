// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// The scaffold stubs canvas getContext() with undefined; @grafana/ui's Combobox measures text
// through it to size itself, so give it a 2D context that can measure.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return {
    font: '',
    measureText: (text) => ({
      width: String(text).length * 7,
      actualBoundingBoxAscent: 10,
      actualBoundingBoxDescent: 2,
    }),
  };
};
