"""The Dash app shell: the page container, the navbar's callbacks, the date-preset callback, Dash internals."""
