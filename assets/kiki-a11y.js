/* KIKI Analytics: accessibility repairs of Dash 4.4's core components, made from outside.

   Upstream (plotly/dash, dcc 4.4.1), to report and then drop these lines:
   - dcc.Dropdown puts an <input class="dash-dropdown-focus-target" aria-hidden="true"
     tabindex="0"> in the tab order as a proxy for its button (tabindex="-1"): a focusable
     element hidden from screen readers (axe: aria-hidden-focus). The proxy is hidden by
     assets/kiki.css; here its button takes its place in the tab order.
   - dcc.DatePickerRange/Single put aria-expanded on their wrapper <div>, which has no role that
     allows it (axe: aria-allowed-attr). The picker opens a dialog, announced by aria-haspopup;
     the wrapper's aria-expanded goes (assets/kiki.css turns the caret on data-state instead).
   - Both open a Radix popover (role="dialog") without a name (axe: aria-dialog-name): it is
     named after the control's <label>. The date picker's year field has no label either.
   - dcc.Dropdown's options are <label role="option"> around a focusable checkbox or radio, in a
     role="listbox" without a name (axe: nested-interactive, aria-allowed-role,
     aria-input-field-name). The native inputs, each named by its label, are what keyboard focus
     moves through: the listbox and option roles go, leaving a list of checkboxes (or radios),
     and the button announces a dialog rather than a listbox.
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
        document.querySelectorAll('button.dash-dropdown[aria-haspopup="listbox"]').forEach(
            function (button) { button.setAttribute('aria-haspopup', 'dialog'); }
        );
        document.querySelectorAll('.dash-options-list[role="listbox"]').forEach(function (list) {
            list.removeAttribute('role');
        });
        document.querySelectorAll(
            '.dash-options-list-option[role="option"], .dash-options-list-option[aria-selected]'
        ).forEach(
            function (option) {
                option.removeAttribute('role');
                option.removeAttribute('aria-selected');
            }
        );
        document.querySelectorAll('[role="dialog"]:not([aria-label]):not([aria-labelledby])')
            .forEach(nameDialog);
        document.querySelectorAll('.dash-datepicker-controls input:not([aria-label])').forEach(
            function (input) { input.setAttribute('aria-label', 'Year'); }
        );
    }

    // The popover's trigger (aria-controls) is the dropdown's button (its id is the control's)
    // or the date picker's wrapper ("<id>-wrapper"); the control's <label> names the popover.
    function nameDialog(dialog) {
        const trigger = dialog.id && document.querySelector('[aria-controls="' + dialog.id + '"]');
        if (!trigger) { return; }
        const isDates = trigger.classList.contains('dash-datepicker-input-wrapper');
        const id = isDates ? trigger.id.replace(/-wrapper$/, '') : trigger.id;
        const label = id && document.querySelector('label[for="' + id + '"]');
        const text = label ? label.textContent.trim() : '';
        const fallback = isDates ? 'Choose dates' : 'Options';
        dialog.setAttribute('aria-label', text ? text + (isDates ? ': calendar' : ': options') : fallback);
    }

    function queue() {
        if (!queued) { queued = true; window.requestAnimationFrame(repair); }
    }

    function start() {
        new MutationObserver(queue).observe(document.body, {
            childList: true, subtree: true, attributes: true,
            attributeFilter: ['aria-expanded', 'aria-haspopup', 'aria-selected', 'role', 'tabindex', 'disabled'],
        });
        queue();
    }

    if (document.body) { start(); } else { document.addEventListener('DOMContentLoaded', start); }
})();
