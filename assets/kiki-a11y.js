/* KIKI Analytics: accessibility repairs of Dash 4.4's core components, made from outside.

   Upstream (plotly/dash, dcc 4.4.1), to report and then drop these lines:
   - dcc.Dropdown puts an <input class="dash-dropdown-focus-target" aria-hidden="true"
     tabindex="0"> in the tab order as a proxy for its button (tabindex="-1"): a focusable
     element hidden from screen readers (axe: aria-hidden-focus). The proxy is hidden by
     assets/kiki.css; here its button takes its place in the tab order.
   - dcc.DatePickerRange/Single put aria-expanded on their wrapper <div>, which has no role that
     allows it (axe: aria-allowed-attr). The picker opens a dialog, announced by aria-haspopup;
     the wrapper's aria-expanded goes (assets/kiki.css turns the caret on data-state instead).
   React sets these attributes once (their props are constant, or change only as the picker
   opens and closes), so a MutationObserver repairs each element when it appears or changes. */
(function () {
    if (window.kikiA11y || !window.MutationObserver) { return; }
    window.kikiA11y = true;
    let queued = false;

    function repair() {
        queued = false;
        document.querySelectorAll('button.dash-dropdown[tabindex="-1"]').forEach(function (button) {
            if (!button.disabled) { button.setAttribute('tabindex', '0'); }
        });
        document.querySelectorAll('.dash-datepicker-input-wrapper[aria-expanded]').forEach(
            function (wrapper) { wrapper.removeAttribute('aria-expanded'); }
        );
    }

    function queue() {
        if (!queued) { queued = true; window.requestAnimationFrame(repair); }
    }

    function start() {
        new MutationObserver(queue).observe(document.body, {
            childList: true, subtree: true, attributes: true,
            attributeFilter: ['aria-expanded', 'tabindex', 'disabled'],
        });
        queue();
    }

    if (document.body) { start(); } else { document.addEventListener('DOMContentLoaded', start); }
})();
