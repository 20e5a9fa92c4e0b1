// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function answerValues(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value) values.push(input.value === "true" && input.type === "checkbox" ? true : input.value);
    });
    return values;
  }

  // Show a conditional field only when its condition holds (the server ignores it otherwise).
  function updateConditions(form) {
    form.querySelectorAll("[data-show-if-field]").forEach(function (field) {
      var expected = JSON.parse(field.getAttribute("data-show-if-values") || "[]");
      var actual = answerValues(form, field.getAttribute("data-show-if-field"));
      var visible = actual.some(function (value) { return expected.indexOf(value) !== -1; });
      field.hidden = !visible;
      var note = field.querySelector(".field__condition");
      if (note) note.hidden = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.application-form").forEach(function (form) {
      updateConditions(form);
      form.addEventListener("change", function () { updateConditions(form); });
    });
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
    document.querySelectorAll(".error-summary a[href*='#']").forEach(function (link) {
      link.addEventListener("click", function (event) { focusFieldOf(link, event); });
    });
  });

  // An error summary link targets a field, or the fieldset of a group (name, address, radios).
  // Put the caret in its first control and keep its question (legend or label) in view.
  function focusFieldOf(link, event) {
    if (link.pathname !== window.location.pathname) return;
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    var control = target.matches("input, select, textarea")
      ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    if (!control) return;
    event.preventDefault();
    var fieldset = control.closest("fieldset");
    var question = (fieldset && fieldset.querySelector("legend")) ||
      document.querySelector('label[for="' + control.id + '"]') || control;
    question.scrollIntoView();
    control.focus({ preventScroll: true });
  }
})();
