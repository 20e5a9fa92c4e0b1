// The assistant as a chat: progressive enhancement of the question form on the assistant
// page. Without this file the form is a plain GET search with server-rendered answers.
(function () {
  "use strict";

  var MESSAGES = {};

  function t(key, language) {
    var texts = MESSAGES[key] || {};
    return texts[language] || texts.en || key;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  function feedbackForm(api, questionId, language) {
    var box = el("fieldset", { "class": "feedback", lang: language });
    box.appendChild(el("legend", {}, t("helpful_question", language)));
    ["helpful", "not_helpful"].forEach(function (value) {
      var button = el("button", { type: "button", "class": "button" }, t(value, language));
      button.addEventListener("click", function () {
        post(api.replace(/ask$/, "questions/" + questionId + "/feedback"), { feedback: value }).then(function () {
          box.replaceChildren(el("p", { role: "status" }, t("thanks", language)));
        });
      });
      box.appendChild(button);
    });
    return box;
  }

  function handoffBox(api, handoff, question, questionId, language) {
    var box = el("div", { "class": "panel handoff", lang: language });
    box.appendChild(el("p", { "class": "handoff__title" }, t("contact", language)));
    box.appendChild(el("p", {}, t("not_sure", language)));
    var contact = el("p", { "class": "handoff__contact" }, handoff.department + " · " + t("phone", language) + " ");
    contact.appendChild(el("a", { href: "tel:" + handoff.phone }, handoff.phone));
    box.appendChild(contact);
    // Nothing is sent on the first click: it opens the form (question, optional e-mail) that the
    // page without JavaScript shows, and only its own "send" posts the inquiry.
    var open = el("button", { type: "button", "class": "button", "aria-expanded": "false" }, t("inquiry", language));
    open.addEventListener("click", function () {
      open.setAttribute("aria-expanded", "true");
      open.hidden = true;
      box.appendChild(inquiryForm(api, question, questionId, language, function () {
        open.hidden = false;
        open.setAttribute("aria-expanded", "false");
        open.focus();
      }));
    });
    box.appendChild(open);
    return box;
  }

  var formCount = 0;

  function inquiryForm(api, question, questionId, language, onCancel) {
    formCount += 1;
    var id = "chat-inquiry-" + formCount;
    var form = el("form", { "class": "inquiry-form", novalidate: "", lang: language });
    form.appendChild(el("p", {}, t("inquiry_intro", language)));
    var error = el("p", { "class": "field__error", role: "alert", id: id + "-error" });
    error.hidden = true;
    form.appendChild(error);
    var questionField = el("div", { "class": "field" });
    questionField.appendChild(el("label", { "class": "field__label", "for": id + "-question" }, t("question_label", language)));
    var text = el("textarea", { id: id + "-question", rows: "3", maxlength: "2000", required: "" });
    text.value = question;
    questionField.appendChild(text);
    form.appendChild(questionField);
    var emailField = el("div", { "class": "field" });
    emailField.appendChild(el("label", { "class": "field__label", "for": id + "-email" }, t("email_label", language)));
    emailField.appendChild(el("p", { "class": "field__hint", id: id + "-hint" }, t("email_hint", language)));
    var email = el("input", {
      id: id + "-email", type: "email", autocomplete: "email", maxlength: "254", "aria-describedby": id + "-hint",
    });
    emailField.appendChild(email);
    form.appendChild(emailField);
    var submit = el("button", { type: "submit", "class": "button button--primary" }, t("send", language));
    var cancel = el("button", { type: "button", "class": "button" }, t("cancel", language));
    cancel.addEventListener("click", function () { form.remove(); onCancel(); });
    form.appendChild(submit);
    form.appendChild(document.createTextNode(" "));
    form.appendChild(cancel);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit.disabled = true;
      var body = { question: text.value, question_id: questionId, language: language };
      if (email.value.trim()) body.email = email.value.trim();
      post(api.replace(/ask$/, "inquiries"), body).then(function (result) {
        submit.disabled = false;
        if (!result.ok) {
          error.textContent = t("inquiry_error", language);
          error.hidden = false;
          text.setAttribute("aria-describedby", id + "-error");
          text.focus();
          return;
        }
        var done = el("div", { "class": "panel panel--success", role: "status", "data-testid": "inquiry-sent" });
        done.appendChild(el("p", { "class": "handoff__title" }, t("sent_title", language)));
        var reference = el("p", {}, t("reference", language) + ": ");
        reference.appendChild(el("strong", { "data-testid": "inquiry-reference" }, result.data.reference));
        done.appendChild(reference);
        done.appendChild(el("p", {}, t(result.data.email_given ? "sent_email" : "sent_no_email", language)));
        form.replaceWith(done);
      });
    });
    setTimeout(function () { text.focus(); }, 0);
    return form;
  }

  function answerItem(chat, data, question) {
    var api = chat.getAttribute("data-api");
    var item = el("li", { "class": "chat__answer" });
    var language = data.language;
    if (data.answers.length) {
      var best = data.answers[0];
      if (data.note) item.appendChild(el("p", { "class": "answer__note", lang: language }, data.note));
      item.appendChild(el("p", { "class": "chat__title", lang: best.language }, best.question));
      var body = el("div", { "class": "answer__body", lang: best.language });
      body.innerHTML = best.answer_html; // sanitised by the server (nh3 allowlist)
      item.appendChild(body);
      if (best.procedure) {
        var apply = el("p");
        apply.appendChild(el("a", {
          "class": "button button--primary", lang: language,
          href: chat.getAttribute("data-procedure-base") + best.procedure + "/",
        }, t("apply_online", language)));
        item.appendChild(apply);
      }
      if (best.source_url) {
        var source = el("p", { "class": "answer__source" }, t("source", language) + ": ");
        source.appendChild(el("a", { href: best.source_url }, best.source_url));
        item.appendChild(source);
      }
      if (data.answers.length > 1) {
        item.appendChild(el("p", { "class": "chat__related-title", lang: language }, t("related", language)));
        var list = el("ul");
        data.answers.slice(1).forEach(function (answer) {
          var link = el("a", { href: "?q=" + encodeURIComponent(answer.question), lang: answer.language }, answer.question);
          var entry = el("li");
          entry.appendChild(link);
          list.appendChild(entry);
        });
        item.appendChild(list);
      }
      item.appendChild(feedbackForm(api, data.question_id, language));
    }
    if (data.handoff) item.appendChild(handoffBox(api, data.handoff, question, data.question_id, language));
    return item;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("assistant-form");
    var chat = document.getElementById("chat");
    var messages = document.getElementById("assistant-messages");
    if (!form || !chat || !window.fetch) return;
    MESSAGES = messages ? JSON.parse(messages.textContent) : {};
    var log = document.getElementById("chat-log");
    var area = document.getElementById("answer-area");
    chat.hidden = false;
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("#q");
      var question = input.value.trim();
      if (!question) return;
      event.preventDefault();
      if (area) area.replaceChildren();
      var language = form.querySelector("#lang").value;
      log.appendChild(el("li", { "class": "chat__question" }, question));
      input.value = "";
      var body = { question: question };
      if (language) body.language = language;
      post(chat.getAttribute("data-api"), body).then(function (result) {
        if (result.ok) {
          log.appendChild(answerItem(chat, result.data, question));
        } else {
          log.appendChild(el("li", { "class": "chat__answer field__error" }, result.data.title || "Error"));
        }
        input.focus();
      }).catch(function () { form.submit(); });
    });
  });
})();
